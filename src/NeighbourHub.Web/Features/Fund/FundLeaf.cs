using System.Globalization;
using System.Text;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>A fund's signed tree head as published (API.md): hashes in lowercase hex, the timestamp exactly as signed.</summary>
public sealed record FundHead(long EstateId, long TreeSize, string RootHash, string Timestamp, string KeyId, string Signature)
{
    public static FundHead Of(TransparencyHead head, long estateId) => new(estateId, head.TreeSize, head.RootHash, head.Timestamp, head.KeyId, head.Signature);
}

/// <summary>
/// An entry's leaf as API.md defines it for every outside verifier: the UTF-8 of its RFC 8785 canonical JSON —
/// members sorted by name, no whitespace, strings escaped as JSON.stringify does (only '"', '\' and control
/// characters; everything else, Chinese included, as itself) — with exactly the members seq, estateId, at,
/// kind, amountFen, category, budgetLineId, memo, counterparty, attachmentSha256s and expenseId.
/// Written by hand because the values are few and simple, and a general serializer's defaults
/// (escaping non-ASCII, member order) are exactly what must not leak in.
/// </summary>
public static class FundLeaf
{
    public static byte[] Bytes(FundEntry e)
    {
        var json = new StringBuilder(256);
        json.Append("{\"amountFen\":").Append(e.AmountFen.ToString(CultureInfo.InvariantCulture));
        json.Append(",\"at\":");
        String(json, Timestamp(e.At));
        json.Append(",\"attachmentSha256s\":[");
        var first = true;
        foreach (var sha in e.Attachments)
        {
            if (!first)
            {
                json.Append(',');
            }

            String(json, sha);
            first = false;
        }

        json.Append("],\"budgetLineId\":");
        Number(json, e.BudgetLineId);
        json.Append(",\"category\":");
        String(json, e.Category);
        json.Append(",\"counterparty\":");
        String(json, e.Counterparty);
        json.Append(",\"estateId\":").Append(e.EstateId.ToString(CultureInfo.InvariantCulture));
        json.Append(",\"expenseId\":");
        Number(json, e.ExpenseId);
        json.Append(",\"kind\":");
        String(json, Kind(e.Kind));
        json.Append(",\"memo\":");
        String(json, e.Memo);
        json.Append(",\"seq\":").Append(e.Seq.ToString(CultureInfo.InvariantCulture));
        json.Append('}');
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    public static byte[] Hash(FundEntry e) => MerkleTree.LeafHash(Bytes(e));

    /// <summary>RFC 3339 UTC with Z, whole seconds (what <see cref="FundEntry.At"/> holds).</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Kind(FundEntryKind kind) => kind switch
    {
        FundEntryKind.Income => "income",
        FundEntryKind.Expense => "expense",
        FundEntryKind.Remuneration => "remuneration",
        _ => "reversal",
    };

    private static void Number(StringBuilder json, long? value) =>
        json.Append(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null");

    private static void String(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }

        json.Append('"');
    }
}
