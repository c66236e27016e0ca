using System.Globalization;
using System.Text.Json;

namespace NeighbourHub.FundVerifier;

/// <summary>
/// The documents the server publishes (API.md, "Owners' fund"), read with System.Text.Json alone.
/// Every Parse method throws <see cref="FormatException"/> with a Chinese message when a document is not what the spec says.
/// </summary>
public static class FundDocuments
{
    /// <summary>The export: JSON lines <c>{"seq":…,"leaf":"&lt;base64&gt;"}</c>; blank lines are ignored.</summary>
    public static IReadOnlyList<ExportLine> ParseExport(string jsonLines)
    {
        var lines = new List<ExportLine>();
        var number = 0;
        foreach (var raw in jsonLines.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                lines.Add(new ExportLine(Integer(root, "seq"), Base64(root, "leaf")));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"导出文件第 {number} 行无法读取：{e.Message}"), e);
            }
        }
        return lines;
    }

    /// <summary>A signed tree head <c>{estateId, treeSize, rootHash, timestamp, keyId, signature}</c>.</summary>
    public static SignedHead ParseHead(string json) => Read(json, "树头", root => new SignedHead(
        Id(root, "estateId"),
        Integer(root, "treeSize"),
        Text(root, "rootHash"),
        Text(root, "timestamp"),
        Id(root, "keyId"),
        Text(root, "signature")));

    /// <summary>The key list <c>[{keyId, algorithm, publicKeyPem}]</c>.</summary>
    public static IReadOnlyList<FundKey> ParseKeys(string json) => Read(json, "公钥列表", root =>
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("不是数组");
        }
        return (IReadOnlyList<FundKey>)root.EnumerateArray()
            .Select(k => new FundKey(Id(k, "keyId"), Text(k, "algorithm"), Text(k, "publicKeyPem")))
            .ToList();
    });

    /// <summary>A consistency proof <c>{first, second, path:[hex…]}</c>.</summary>
    public static ConsistencyProof ParseConsistency(string json) => Read(json, "一致性证明", root =>
        new ConsistencyProof(Integer(root, "first"), Integer(root, "second"), HexList(root, "path")));

    /// <summary>One entry with its <c>leaf</c> (base64) and <c>inclusion:{treeSize, path:[hex…]}</c>.</summary>
    public static EntryProof ParseEntry(string json) => Read(json, "记录", root =>
    {
        var inclusion = Member(root, "inclusion");
        return new EntryProof(
            Integer(root, "seq"),
            Base64(root, "leaf"),
            Integer(inclusion, "treeSize"),
            HexList(inclusion, "path"),
            root.Clone());
    });

    private static T Read<T>(string json, string what, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return read(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new FormatException(what + "无法读取：" + e.Message, e);
        }
    }

    private static JsonElement Member(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value)
            ? value
            : throw new FormatException("缺少 " + name);

    private static long Integer(JsonElement root, string name)
    {
        var value = Member(root, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var result)
            ? result
            : throw new FormatException(name + " 不是整数");
    }

    private static string Text(JsonElement root, string name)
    {
        var value = Member(root, name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException(name + " 不是字符串");
    }

    private static string Id(JsonElement root, string name) =>
        FundLeaf.IdText(Member(root, name), name) ?? throw new FormatException(name + " 为 null");

    private static byte[] Base64(JsonElement root, string name)
    {
        try
        {
            return Convert.FromBase64String(Text(root, name));
        }
        catch (FormatException)
        {
            throw new FormatException(name + " 不是有效的 base64");
        }
    }

    private static IReadOnlyList<string> HexList(JsonElement root, string name)
    {
        var value = Member(root, name);
        if (value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException(name + " 不是数组");
        }
        return value.EnumerateArray()
            .Select(h => h.ValueKind == JsonValueKind.String ? h.GetString()! : throw new FormatException(name + " 中有不是字符串的值"))
            .ToList();
    }
}

/// <summary>One line of the export: the seq the server gives and the exact leaf bytes.</summary>
public sealed record ExportLine(long Seq, byte[] Leaf);

/// <summary>A signed tree head. Ids are text (the digits of a JSON integer or a string's value); the timestamp is kept exactly as given.</summary>
public sealed record SignedHead(string EstateId, long TreeSize, string RootHash, string Timestamp, string KeyId, string Signature)
{
    /// <summary>What the signature covers: <c>neighbourhub-fund-head\n{estateId}\n{treeSize}\n{rootHash}\n{timestamp}</c>.</summary>
    public string SignedText => string.Create(CultureInfo.InvariantCulture, $"neighbourhub-fund-head\n{EstateId}\n{TreeSize}\n{RootHash}\n{Timestamp}");
}

/// <summary>A published public key: <c>{keyId, algorithm:"ES256", publicKeyPem}</c>.</summary>
public sealed record FundKey(string KeyId, string Algorithm, string PublicKeyPem);

/// <summary>A consistency proof between the trees of <see cref="First"/> and <see cref="Second"/> leaves; hashes in lowercase hex.</summary>
public sealed record ConsistencyProof(long First, long Second, IReadOnlyList<string> Path);

/// <summary>
/// One entry as <c>GET …/fund/entries/{seq}</c> answers it: its leaf, the inclusion proof against a tree of
/// <see cref="TreeSize"/> leaves, and the whole answer (<see cref="Entry"/>) so the shown fields can be compared with the leaf.
/// </summary>
public sealed record EntryProof(long Seq, byte[] Leaf, long TreeSize, IReadOnlyList<string> Path, JsonElement Entry);
