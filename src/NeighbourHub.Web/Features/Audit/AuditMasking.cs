using System.Text.Json;
using System.Text.Json.Nodes;
using NeighbourHub.Web.Features.Identity;

namespace NeighbourHub.Web.Features.Audit;

/// <summary>
/// Personal data in audit rows, masked the way every other list masks it (138****1234, 张*). The stored
/// row keeps the full value (ADR 0004: the audit log is evidence of exactly what was written); whoever
/// reads it through the API or the console sees it masked.
/// </summary>
public static class AuditMasking
{
    /// <summary>Entity properties that hold personal data, and how each is shown.</summary>
    private static readonly Dictionary<string, Func<string, string>> PersonalProperties = new(StringComparer.Ordinal)
    {
        ["PhoneNumber"] = p => PhoneMasking.Mask(p) ?? "",
        ["RealName"] = NameMasking.Mask,
        ["ProxyName"] = NameMasking.Mask,
        ["ExternalContact"] = c => Repairs.Open311Api.MaskNumbers(c),
        ["OpenId"] = _ => "***",
        ["UnionId"] = _ => "***",
    };

    public static AuditRow Mask(AuditRow row) => row with { Before = MaskJson(row.Before), After = MaskJson(row.After) };

    /// <summary>Masks the personal members of one snapshot (a JSON object of property → value); anything else passes unchanged.</summary>
    public static string? MaskJson(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return json;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return json;
        }

        if (node is not JsonObject snapshot)
        {
            return json;
        }

        var changed = false;
        foreach (var (name, mask) in PersonalProperties)
        {
            if (snapshot[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0)
            {
                snapshot[name] = mask(text);
                changed = true;
            }
        }

        return changed ? snapshot.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) : json;
    }
}
