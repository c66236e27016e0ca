using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NeighbourHub.FundVerifier;

/// <summary>
/// One ledger entry as the leaf commits to it (API.md, "Leaf and tree"): the UTF-8 of its RFC 8785 canonical JSON
/// with exactly the members below. Ids (estateId, budgetLineId, expenseId) are kept as text: the digits of a JSON
/// integer, or the value of a JSON string.
/// </summary>
public sealed partial record FundLeaf(
    long Seq,
    string EstateId,
    string At,
    string Kind,
    long AmountFen,
    string Category,
    string? BudgetLineId,
    string Memo,
    string Counterparty,
    IReadOnlyList<string> AttachmentSha256s,
    string? ExpenseId)
{
    /// <summary>Exactly the members of a leaf, in canonical (sorted) order.</summary>
    public static readonly IReadOnlyList<string> MemberNames =
    [
        "amountFen", "at", "attachmentSha256s", "budgetLineId", "category", "counterparty",
        "estateId", "expenseId", "kind", "memo", "seq",
    ];

    /// <summary>The kinds of entry and the sign their amount must have.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["income", "expense", "remuneration", "reversal"];

    /// <summary>
    /// Reads a leaf and checks it: canonical JSON (re-serialising the parsed members canonically gives the same bytes),
    /// exactly the spec's members with their types, an RFC 3339 UTC time with Z, a known kind and an amount of the
    /// kind's sign. On failure <paramref name="problem"/> is a Chinese clause such as "不是规范 JSON（RFC 8785）：…".
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> leaf, out FundLeaf? parsed, out string? problem)
    {
        parsed = null;
        if (!CanonicalJson.IsCanonical(leaf, out var root, out var canonicalProblem))
        {
            problem = "不是规范 JSON（RFC 8785）：" + canonicalProblem;
            return false;
        }
        try
        {
            parsed = Read(root);
            problem = null;
            return true;
        }
        catch (FormatException e)
        {
            problem = "字段不符合规范：" + e.Message;
            return false;
        }
    }

    private static FundLeaf Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("叶子不是 JSON 对象");
        }
        var names = root.EnumerateObject().Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var missing = MemberNames.Where(n => !names.Contains(n)).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException("缺少成员 " + string.Join("、", missing));
        }
        var extra = names.Where(n => !MemberNames.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (extra.Count > 0)
        {
            throw new FormatException("多出成员 " + string.Join("、", extra));
        }

        var seq = Integer(root, "seq");
        if (seq < 0)
        {
            throw new FormatException("seq 为负数");
        }
        var at = Text(root, "at");
        if (!IsUtcTimestamp(at))
        {
            throw new FormatException("at 不是带 Z 的 RFC 3339 UTC 时间：" + at);
        }
        var kind = Text(root, "kind");
        var amount = Integer(root, "amountFen");
        switch (kind)
        {
            case "income" when amount <= 0:
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"收入（income）的 amountFen 应为正数，实为 {amount}"));
            case "expense" or "remuneration" when amount >= 0:
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"{kind} 的 amountFen 应为负数，实为 {amount}"));
            case "income" or "expense" or "remuneration" or "reversal":
                break;
            default:
                throw new FormatException("未知的 kind：" + kind);
        }
        var attachments = root.GetProperty("attachmentSha256s");
        if (attachments.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("attachmentSha256s 不是数组");
        }
        var hashes = new List<string>();
        foreach (var item in attachments.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || !IsHash(item.GetString()!))
            {
                throw new FormatException("attachmentSha256s 中有不是 64 位小写十六进制的值：" + item.GetRawText());
            }
            hashes.Add(item.GetString()!);
        }
        return new FundLeaf(
            seq,
            Id(root, "estateId") ?? throw new FormatException("estateId 为 null"),
            at,
            kind,
            amount,
            Text(root, "category"),
            Id(root, "budgetLineId"),
            Text(root, "memo"),
            Text(root, "counterparty"),
            hashes,
            Id(root, "expenseId"));
    }

    /// <summary>RFC 3339 "date-time" in UTC with an upper-case T and Z, optional fraction of a second, and a real date and time.</summary>
    public static bool IsUtcTimestamp(string value) =>
        UtcTimestamp().IsMatch(value)
        && DateTime.TryParseExact(value[..19], "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    /// <summary>64 lowercase hex digits (a SHA-256 as the spec writes it).</summary>
    public static bool IsHash(string value) => LowerHexHash().IsMatch(value);

    private static long Integer(JsonElement root, string name)
    {
        var value = root.GetProperty(name);
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var result))
        {
            throw new FormatException(name + " 不是整数：" + value.GetRawText());
        }
        return result;
    }

    private static string Text(JsonElement root, string name)
    {
        var value = root.GetProperty(name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException(name + " 不是字符串：" + value.GetRawText());
    }

    private static string? Id(JsonElement root, string name) => IdText(root.GetProperty(name), name);

    /// <summary>An id as text: null, the digits of an integer, or a string's value.</summary>
    internal static string? IdText(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number when value.TryGetInt64(out var id) => id.ToString(CultureInfo.InvariantCulture),
        _ => throw new FormatException(name + " 不是整数、字符串或 null：" + value.GetRawText()),
    };

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z\\z", RegexOptions.CultureInvariant)]
    private static partial Regex UtcTimestamp();

    [GeneratedRegex("^[0-9a-f]{64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LowerHexHash();
}
