using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NeighbourHub.FundVerifier;

namespace NeighbourHub.UnitTests.FundVerifier;

/// <summary>
/// A small estate ledger written by hand as the spec describes it (canonical leaves typed out, members in sorted order),
/// signed with a fresh P-256 key, and served as the documents the routes answer (export lines, head, keys, proofs).
/// </summary>
internal sealed class SampleFundLog : IDisposable
{
    public const string Estate = "1";
    public const string KeyId = "fund-2026";
    public const string Timestamp = "2026-10-31T16:00:00Z";

    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public SampleFundLog(int count = 13)
    {
        Leaves = Enumerable.Range(0, count).Select(i => Leaf(i)).ToList();
    }

    /// <summary>The leaves as text; change one to tamper.</summary>
    public List<string> Leaves { get; }

    public long Balance => Enumerable.Range(0, Leaves.Count).Sum(Amount);

    public string PublicKeyPem => key.ExportSubjectPublicKeyInfoPem();

    public void Dispose() => key.Dispose();

    /// <summary>Entry i: income (parking, advertising) and expenses (repairs, cleaning) and a remuneration, every fifth a reversal.</summary>
    public static long Amount(int seq) => (seq % 5) switch
    {
        0 => 120_000 + seq,
        1 => -35_000 - seq,
        2 => 48_050,
        3 => -8_000,
        _ => seq % 2 == 0 ? 1_500 : -1_500,
    };

    public static string Leaf(int seq, string estate = Estate)
    {
        var amount = Amount(seq);
        var kind = (seq % 5) switch
        {
            0 or 2 => "income",
            1 => "expense",
            3 => "remuneration",
            _ => "reversal",
        };
        var memo = kind switch
        {
            "income" => "地面停车费 10月 \\\"A区\\\"",
            "expense" => "电梯维修\\n二号楼",
            "remuneration" => "信托服务酬金",
            _ => "冲正 第" + (seq - 1).ToString(CultureInfo.InvariantCulture) + "条",
        };
        var budgetLine = kind == "expense" ? "7" : "null";
        var expense = kind == "expense" ? "\"e-" + seq.ToString(CultureInfo.InvariantCulture) + "\"" : "null";
        var attachments = kind == "expense" ? "[\"" + Convert.ToHexStringLower(SHA256.HashData([(byte)seq])) + "\"]" : "[]";
        var day = (seq % 28 + 1).ToString("00", CultureInfo.InvariantCulture);
        return "{\"amountFen\":" + amount.ToString(CultureInfo.InvariantCulture)
            + ",\"at\":\"2026-10-" + day + "T02:30:00Z\""
            + ",\"attachmentSha256s\":" + attachments
            + ",\"budgetLineId\":" + budgetLine
            + ",\"category\":\"" + (kind == "income" ? "停车" : "维修") + "\""
            + ",\"counterparty\":\"某某物业服务有限公司\""
            + ",\"estateId\":" + estate
            + ",\"expenseId\":" + expense
            + ",\"kind\":\"" + kind + "\""
            + ",\"memo\":\"" + memo + "\""
            + ",\"seq\":" + seq.ToString(CultureInfo.InvariantCulture) + "}";
    }

    public List<byte[]> LeafHashes => Leaves.Select(l => MerkleTree.HashLeaf(Encoding.UTF8.GetBytes(l))).ToList();

    public string Root(int size) => Convert.ToHexStringLower(MerkleTree.RootHash(LeafHashes, size));

    /// <summary>GET …/fund/export: one JSON line per leaf.</summary>
    public string ExportJsonLines(IEnumerable<int>? seqs = null) => string.Concat((seqs ?? Enumerable.Range(0, Leaves.Count)).Select(i =>
        "{\"seq\":" + i.ToString(CultureInfo.InvariantCulture) + ",\"leaf\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Leaves[i])) + "\"}\n"));

    /// <summary>GET …/fund/head, signed over the first <paramref name="size"/> leaves (all by default).</summary>
    public string HeadJson(int? size = null, string timestamp = Timestamp, string keyId = KeyId, ECDsa? signer = null)
    {
        var n = size ?? Leaves.Count;
        var root = Root(n);
        var text = "neighbourhub-fund-head\n" + Estate + "\n" + n.ToString(CultureInfo.InvariantCulture) + "\n" + root + "\n" + timestamp;
        var signature = Convert.ToBase64String((signer ?? key).SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        return "{\"estateId\":" + Estate + ",\"treeSize\":" + n.ToString(CultureInfo.InvariantCulture) + ",\"rootHash\":\"" + root
            + "\",\"timestamp\":\"" + timestamp + "\",\"keyId\":\"" + keyId + "\",\"signature\":\"" + signature + "\"}";
    }

    /// <summary>GET /api/v1/fund/keys.</summary>
    public string KeysJson() => "[{\"keyId\":\"" + KeyId + "\",\"algorithm\":\"ES256\",\"publicKeyPem\":"
        + System.Text.Json.JsonSerializer.Serialize(PublicKeyPem) + "}]";

    /// <summary>GET …/fund/consistency?first=&amp;second=.</summary>
    public string ConsistencyJson(int first, int second) => "{\"first\":" + first.ToString(CultureInfo.InvariantCulture)
        + ",\"second\":" + second.ToString(CultureInfo.InvariantCulture) + ",\"path\":["
        + string.Join(",", MerkleTree.ConsistencyPath(LeafHashes, first, second).Select(h => "\"" + Convert.ToHexStringLower(h) + "\"")) + "]}";

    /// <summary>GET …/fund/entries/{seq}: the entry as shown, its leaf and its inclusion proof against the whole log.</summary>
    public string EntryJson(int seq, long? shownAmount = null) => "{\"seq\":" + seq.ToString(CultureInfo.InvariantCulture)
        + ",\"at\":\"2026-10-" + (seq % 28 + 1).ToString("00", CultureInfo.InvariantCulture) + "T10:30:00+08:00\""
        + ",\"amountFen\":" + (shownAmount ?? Amount(seq)).ToString(CultureInfo.InvariantCulture)
        + ",\"leaf\":\"" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Leaves[seq])) + "\""
        + ",\"inclusion\":{\"treeSize\":" + Leaves.Count.ToString(CultureInfo.InvariantCulture) + ",\"path\":["
        + string.Join(",", MerkleTree.InclusionPath(LeafHashes, seq, Leaves.Count).Select(h => "\"" + Convert.ToHexStringLower(h) + "\"")) + "]}}";

    /// <summary>The verifier's input as the CLI builds it from these documents.</summary>
    public FundLogInput Input(string? export = null, string? head = null, string? keys = null) => new(
        Estate,
        FundDocuments.ParseExport(export ?? ExportJsonLines()),
        FundDocuments.ParseHead(head ?? HeadJson()),
        FundDocuments.ParseKeys(keys ?? KeysJson()));
}
