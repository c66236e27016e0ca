using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace NeighbourHub.FundVerifier;

/// <summary>What one check found: a pass (✔), a failure (✘) or a note (ℹ) that changes nothing.</summary>
public enum FindingKind
{
    Pass,
    Fail,
    Note,
}

/// <summary>One line of the owner's report, in Chinese.</summary>
public sealed record Finding(FindingKind Kind, string Message)
{
    public bool Ok => Kind != FindingKind.Fail;

    public override string ToString() => Kind switch
    {
        FindingKind.Pass => "✔ ",
        FindingKind.Fail => "✘ ",
        _ => "ℹ ",
    } + Message;

    internal static Finding Pass(string message) => new(FindingKind.Pass, message);

    internal static Finding Fail(string message) => new(FindingKind.Fail, message);

    internal static Finding Note(string message) => new(FindingKind.Note, message);
}

/// <summary>Everything <see cref="FundLogVerifier.Verify"/> found; <see cref="Ok"/> only when no check failed.</summary>
public sealed class VerificationReport
{
    private readonly List<Finding> findings = [];

    public IReadOnlyList<Finding> Findings => findings;

    public IEnumerable<Finding> Failures => findings.Where(f => f.Kind == FindingKind.Fail);

    public bool Ok => findings.Count > 0 && findings.All(f => f.Ok);

    /// <summary>How many entries the signed head covers (and were checked).</summary>
    public long EntryCount { get; internal set; }

    /// <summary>The sum of amountFen over the entries the head covers; null when some leaf could not be read.</summary>
    public long? BalanceFen { get; internal set; }

    /// <summary>The root recomputed from the export at the head's size, lowercase hex.</summary>
    public string? ComputedRootHash { get; internal set; }

    public void Add(Finding finding) => findings.Add(finding);

    public void AddRange(IEnumerable<Finding> more) => findings.AddRange(more);
}

/// <summary>What an owner has in hand: the export, the current head, the key list, and optionally last month's head and proofs.</summary>
public sealed record FundLogInput(string EstateId, IReadOnlyList<ExportLine> Export, SignedHead Head, IReadOnlyList<FundKey> Keys)
{
    /// <summary>A head the owner saved earlier (e.g. last month).</summary>
    public SignedHead? SavedHead { get; init; }

    /// <summary>The consistency proof from <see cref="SavedHead"/>'s size to <see cref="Head"/>'s size.</summary>
    public ConsistencyProof? Consistency { get; init; }

    /// <summary>One entry with its inclusion proof against <see cref="Head"/>.</summary>
    public EntryProof? Entry { get; init; }

    /// <summary>The SHA-256 (hex) of the signing key's SubjectPublicKeyInfo as published off the server (e.g. on the notice board).</summary>
    public string? PinnedKeyFingerprint { get; init; }
}

/// <summary>
/// Checks the estate fund's public ledger, from API.md ("Owners' fund", "Leaf and tree") alone: every leaf canonical,
/// in order and of this estate; the root recomputed from the export equal to the signed head's; the head's ES256
/// signature; a saved head consistent with the current one (RFC 9162 §2.1.4.2) and equal to the export's root at
/// its size; an entry's inclusion proof (RFC 9162 §2.1.3.2).
/// </summary>
public static class FundLogVerifier
{
    /// <summary>Leaf problems listed one by one before the rest are only counted.</summary>
    public const int MaxLeafFindings = 20;

    public const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>Runs every check the input allows.</summary>
    public static VerificationReport Verify(FundLogInput input)
    {
        var report = new VerificationReport();
        var head = input.Head;
        report.AddRange(CheckHead(head, input.EstateId, "签名树头"));
        report.Add(VerifyHeadSignature(head, input.Keys, input.PinnedKeyFingerprint, "签名树头"));

        report.AddRange(CheckLeaves(input.EstateId, input.Export, out var leafHashes, out var leaves));
        var n = head.TreeSize;
        if (n < 0)
        {
            return report;
        }
        if (input.Export.Count < n)
        {
            report.Add(Finding.Fail(Text($"导出只有 {input.Export.Count} 条记录，签名树头记载 {n} 条：有记录被隐藏")));
        }
        else
        {
            if (input.Export.Count > n)
            {
                report.Add(Finding.Note(Text($"导出比签名树头多 {input.Export.Count - n} 条（树头签发后新增），本次只核对前 {n} 条")));
            }
            var root = Convert.ToHexStringLower(MerkleTree.RootHash(leafHashes, (int)n));
            report.ComputedRootHash = root;
            report.Add(root == head.RootHash
                ? Finding.Pass(Text($"根哈希一致：{root}（{n} 条记录）"))
                : Finding.Fail(Text($"根哈希不一致：按导出的 {n} 条记录重算得 {root}，签名树头为 {head.RootHash}：记录被改动、增删或调换了顺序")));
            report.EntryCount = n;
            report.BalanceFen = Balance(leaves, (int)n);
            report.Add(report.BalanceFen is { } balance
                ? Finding.Note(Text($"共 {n} 条记录，余额 {balance} 分（{FormatYuan(balance)} 元）"))
                : Finding.Note(Text($"共 {n} 条记录；有记录无法读取，余额无法确定")));
        }

        if (input.SavedHead is { } saved)
        {
            report.AddRange(CheckSavedHead(input, saved, leafHashes));
        }
        if (input.Entry is { } entry)
        {
            report.Add(VerifyInclusion(entry, head));
            report.AddRange(CheckShownFields(entry));
            if (entry.Seq >= 0 && entry.Seq < input.Export.Count && !entry.Leaf.AsSpan().SequenceEqual(input.Export[(int)entry.Seq].Leaf))
            {
                report.Add(Finding.Fail(Text($"第 {entry.Seq} 条记录的叶子与导出文件中的不同")));
            }
        }
        return report;
    }

    /// <summary>The head is of this estate, its root is 64 lowercase hex digits and its size is not negative.</summary>
    public static IReadOnlyList<Finding> CheckHead(SignedHead head, string estateId, string label = "签名树头")
    {
        var findings = new List<Finding>();
        if (head.EstateId != estateId)
        {
            findings.Add(Finding.Fail(Text($"{label}属于小区 {head.EstateId}，不是小区 {estateId}")));
        }
        if (!FundLeaf.IsHash(head.RootHash))
        {
            findings.Add(Finding.Fail(Text($"{label}的根哈希不是 64 位小写十六进制：{head.RootHash}")));
        }
        if (head.TreeSize < 0)
        {
            findings.Add(Finding.Fail(Text($"{label}的记录数为负数：{head.TreeSize}")));
        }
        return findings;
    }

    /// <summary>
    /// The head's signature: ECDSA P-256 / SHA-256, DER, base64, over <see cref="SignedHead.SignedText"/>, with the listed key
    /// of its keyId (algorithm ES256); with <paramref name="pinnedFingerprint"/>, that key must also be the pinned one.
    /// </summary>
    public static Finding VerifyHeadSignature(SignedHead head, IReadOnlyList<FundKey> keys, string? pinnedFingerprint = null, string label = "签名树头")
    {
        var key = keys.FirstOrDefault(k => k.KeyId == head.KeyId);
        if (key is null)
        {
            return Finding.Fail(Text($"{label}所用的密钥 {head.KeyId} 不在公钥列表中"));
        }
        if (key.Algorithm != "ES256")
        {
            return Finding.Fail(Text($"密钥 {key.KeyId} 的算法是 {key.Algorithm}，不是 ES256"));
        }
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportFromPem(key.PublicKeyPem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return Finding.Fail(Text($"密钥 {key.KeyId} 的 PEM 无法读取"));
        }
        var curve = ecdsa.ExportParameters(false).Curve;
        if (!curve.IsNamed || (curve.Oid.Value != P256Oid && curve.Oid.FriendlyName is not ("nistP256" or "ECDSA_P256" or "secp256r1")))
        {
            return Finding.Fail(Text($"密钥 {key.KeyId} 不是 P-256 曲线"));
        }
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()));
        if (pinnedFingerprint is not null && Normalise(pinnedFingerprint) != fingerprint)
        {
            return Finding.Fail(Text($"密钥 {key.KeyId} 的指纹 {fingerprint} 与公告的指纹 {Normalise(pinnedFingerprint)} 不符"));
        }
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(head.Signature);
        }
        catch (FormatException)
        {
            return Finding.Fail(Text($"{label}的签名不是有效的 base64"));
        }
        bool valid;
        try
        {
            valid = ecdsa.VerifyData(Encoding.UTF8.GetBytes(head.SignedText), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            valid = false;
        }
        return valid
            ? Finding.Pass(Text($"{label}签名有效（{head.TreeSize} 条，{head.Timestamp}；密钥 {key.KeyId}，公钥指纹 {fingerprint}）"))
            : Finding.Fail(Text($"{label}签名无效（密钥 {key.KeyId}）：树头被篡改或不是该密钥签发的"));
    }

    /// <summary>
    /// Every export line: its seq equals its position, its leaf is canonical and well-formed (see <see cref="FundLeaf.TryParse"/>),
    /// the leaf's seq equals its position and it belongs to <paramref name="estateId"/>. Also gives the leaf hashes
    /// and the parsed leaves (null where a leaf could not be read; a leaf out of place or of another estate is still given).
    /// </summary>
    public static IReadOnlyList<Finding> CheckLeaves(string estateId, IReadOnlyList<ExportLine> export, out IReadOnlyList<byte[]> leafHashes, out IReadOnlyList<FundLeaf?> leaves)
    {
        var findings = new List<Finding>();
        var hashes = new List<byte[]>(export.Count);
        var parsed = new List<FundLeaf?>(export.Count);
        var problems = 0;
        for (var i = 0; i < export.Count; i++)
        {
            var line = export[i];
            hashes.Add(MerkleTree.HashLeaf(line.Leaf));
            string? problem = null;
            if (!FundLeaf.TryParse(line.Leaf, out var leaf, out var leafProblem))
            {
                problem = Text($"第 {i} 条记录{leafProblem}");
            }
            else if (line.Seq != i || leaf!.Seq != i)
            {
                problem = Text($"第 {i} 条记录的序号是 {(line.Seq != i ? line.Seq : leaf!.Seq)}，应为 {i}：序号有缺口或顺序错乱");
            }
            else if (leaf.EstateId != estateId)
            {
                problem = Text($"第 {i} 条记录属于小区 {leaf.EstateId}，不是小区 {estateId}");
            }
            parsed.Add(leaf);
            if (problem is not null && ++problems <= MaxLeafFindings)
            {
                findings.Add(Finding.Fail(problem));
            }
        }
        if (problems > MaxLeafFindings)
        {
            findings.Add(Finding.Fail(Text($"另有 {problems - MaxLeafFindings} 条记录有问题，未逐条列出")));
        }
        else if (problems == 0)
        {
            findings.Add(Finding.Pass(Text($"导出的 {export.Count} 条记录都是规范 JSON，序号从 0 连续，都属于小区 {estateId}")));
        }
        leafHashes = hashes;
        leaves = parsed;
        return findings;
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: the proof shows the tree of the saved head is a prefix of the tree of the current head
    /// (the proof's first and second must be the two heads' sizes).
    /// </summary>
    public static Finding VerifyConsistency(SignedHead saved, SignedHead current, ConsistencyProof proof)
    {
        var (m, n) = (saved.TreeSize, current.TreeSize);
        if (proof.First != m || proof.Second != n)
        {
            return Finding.Fail(Text($"一致性证明的范围是 {proof.First}→{proof.Second} 条，应为 {m}→{n} 条"));
        }
        if (!proof.Path.All(FundLeaf.IsHash))
        {
            return Finding.Fail("一致性证明中有不是 64 位小写十六进制的哈希");
        }
        if (!FundLeaf.IsHash(saved.RootHash) || !FundLeaf.IsHash(current.RootHash))
        {
            return Finding.Fail("树头的根哈希不是 64 位小写十六进制，无法核对一致性");
        }
        var valid = MerkleTree.VerifyConsistency(
            m,
            n,
            Convert.FromHexString(saved.RootHash),
            Convert.FromHexString(current.RootHash),
            proof.Path.Select(Convert.FromHexString).ToList());
        return valid
            ? Finding.Pass(Text($"一致性证明有效：保存的树头（{m} 条，{saved.Timestamp}）是当前账本（{n} 条）的前缀，历史未被改写"))
            : Finding.Fail(Text($"一致性证明无效：保存的树头（{m} 条，{saved.Timestamp}）不是当前账本（{n} 条）的前缀，历史记录可能被改写"));
    }

    /// <summary>RFC 9162 §2.1.3.2: the entry's leaf is the leaf at its seq in the tree of the signed head.</summary>
    public static Finding VerifyInclusion(EntryProof entry, SignedHead head)
    {
        var seq = entry.Seq;
        if (!FundLeaf.TryParse(entry.Leaf, out var leaf, out var problem))
        {
            return Finding.Fail(Text($"第 {seq} 条记录{problem}"));
        }
        if (leaf!.Seq != seq)
        {
            return Finding.Fail(Text($"第 {seq} 条记录的叶子里序号是 {leaf.Seq}"));
        }
        if (entry.TreeSize != head.TreeSize)
        {
            return Finding.Fail(Text($"第 {seq} 条记录的包含证明针对 {entry.TreeSize} 条的树，签名树头却是 {head.TreeSize} 条（两次请求之间账本有更新时请重新运行）"));
        }
        if (!entry.Path.All(FundLeaf.IsHash) || !FundLeaf.IsHash(head.RootHash))
        {
            return Finding.Fail(Text($"第 {seq} 条记录的包含证明中有不是 64 位小写十六进制的哈希"));
        }
        var valid = MerkleTree.VerifyInclusion(
            seq,
            head.TreeSize,
            MerkleTree.HashLeaf(entry.Leaf),
            entry.Path.Select(Convert.FromHexString).ToList(),
            Convert.FromHexString(head.RootHash));
        return valid
            ? Finding.Pass(Text($"第 {seq} 条记录包含在签名树头（{head.TreeSize} 条）中：{leaf.Kind} {leaf.AmountFen} 分，{leaf.Memo}"))
            : Finding.Fail(Text($"第 {seq} 条记录与签名树头不符（包含证明无效）"));
    }

    /// <summary>The fields the entry shows (kind, amountFen, category, memo, counterparty, ids, at, attachments' sha256) say what its leaf says.</summary>
    public static IReadOnlyList<Finding> CheckShownFields(EntryProof entry)
    {
        if (!FundLeaf.TryParse(entry.Leaf, out var leaf, out _) || entry.Entry.ValueKind != JsonValueKind.Object)
        {
            return [];
        }
        var differing = new List<string>();
        var shown = entry.Entry;
        void Compare(string name, string? expected)
        {
            if (shown.TryGetProperty(name, out var value) && ShownText(value) != expected)
            {
                differing.Add(name);
            }
        }
        Compare("kind", leaf!.Kind);
        Compare("amountFen", leaf.AmountFen.ToString(CultureInfo.InvariantCulture));
        Compare("category", leaf.Category);
        Compare("memo", leaf.Memo);
        Compare("counterparty", leaf.Counterparty);
        Compare("budgetLineId", leaf.BudgetLineId);
        Compare("expenseId", leaf.ExpenseId);
        if (shown.TryGetProperty("at", out var at)
            && (at.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var shownAt)
                || shownAt != DateTimeOffset.Parse(leaf.At, CultureInfo.InvariantCulture, DateTimeStyles.None)))
        {
            differing.Add("at");
        }
        if (shown.TryGetProperty("attachments", out var attachments) && attachments.ValueKind == JsonValueKind.Array)
        {
            var shas = attachments.EnumerateArray()
                .Select(a => a.ValueKind == JsonValueKind.Object && a.TryGetProperty("sha256", out var s) ? ShownText(s) : null)
                .ToList();
            if (!shas.SequenceEqual(leaf.AttachmentSha256s))
            {
                differing.Add("attachments");
            }
        }
        return differing.Count == 0
            ? [Finding.Pass(Text($"第 {entry.Seq} 条记录页面显示的内容与签名的叶子一致"))]
            : [Finding.Fail(Text($"第 {entry.Seq} 条记录页面显示的 {string.Join("、", differing)} 与签名的叶子不符"))];
    }

    /// <summary>SHA-256 of the key's SubjectPublicKeyInfo (DER), lowercase hex: what owners compare with the published fingerprint.</summary>
    public static string KeyFingerprint(string publicKeyPem)
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(publicKeyPem);
        return Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Fen as 元 with two decimals and thousands separators: -123456 → "-1,234.56".</summary>
    public static string FormatYuan(long fen) => (fen / 100m).ToString("#,##0.00", CultureInfo.InvariantCulture);

    private static IEnumerable<Finding> CheckSavedHead(FundLogInput input, SignedHead saved, IReadOnlyList<byte[]> leafHashes)
    {
        var findings = new List<Finding>();
        findings.AddRange(CheckHead(saved, input.EstateId, "保存的树头"));
        findings.Add(VerifyHeadSignature(saved, input.Keys, null, "保存的树头"));
        var (m, n) = (saved.TreeSize, input.Head.TreeSize);
        if (m < 0)
        {
            return findings;
        }
        if (m > n)
        {
            findings.Add(Finding.Fail(Text($"当前签名树头只有 {n} 条，少于保存的树头的 {m} 条：账本被回滚或截断")));
            return findings;
        }
        if (input.Export.Count >= m)
        {
            var root = Convert.ToHexStringLower(MerkleTree.RootHash(leafHashes, (int)m));
            findings.Add(root == saved.RootHash
                ? Finding.Pass(Text($"按导出前 {m} 条记录重算的根哈希与保存的树头（{saved.Timestamp}）一致"))
                : Finding.Fail(Text($"按导出前 {m} 条记录重算的根哈希 {root} 与保存的树头（{saved.Timestamp}）的 {saved.RootHash} 不符：保存之后，前 {m} 条中有历史记录被改写")));
        }
        if (input.Consistency is { } proof)
        {
            findings.Add(VerifyConsistency(saved, input.Head, proof));
        }
        else if (m == n || m == 0)
        {
            findings.Add(VerifyConsistency(saved, input.Head, new ConsistencyProof(m, n, [])));
        }
        else
        {
            findings.Add(Finding.Note("未提供一致性证明，只按导出重算了保存时的根哈希"));
        }
        return findings;
    }

    private static long? Balance(IReadOnlyList<FundLeaf?> leaves, int count)
    {
        long sum = 0;
        for (var i = 0; i < count; i++)
        {
            if (leaves[i] is not { } leaf)
            {
                return null;
            }
            try
            {
                sum = checked(sum + leaf.AmountFen);
            }
            catch (OverflowException)
            {
                return null;
            }
        }
        return sum;
    }

    private static string? ShownText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        _ => value.GetRawText(),
    };

    private static string Normalise(string fingerprint) => fingerprint.Replace(":", "", StringComparison.Ordinal).Trim().ToLowerInvariant();

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
