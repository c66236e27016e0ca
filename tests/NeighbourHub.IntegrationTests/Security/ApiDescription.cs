using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests.Security;

/// <summary>The kinds of value a schema describes, as far as generated requests care.</summary>
internal enum ValueKind
{
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
    Enum,
}

internal sealed record ApiParameter(string Name, string In, JsonElement Schema);

/// <summary>One operation of the served OpenAPI document (path + method), with its parameters and JSON body schema.</summary>
internal sealed record ApiOperation(HttpMethod Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonElement? JsonBody, bool FormBody)
{
    public string Name => $"{Method} {Path}";

    public bool IsAdmin => Path.StartsWith("/api/v1/admin/", StringComparison.Ordinal);

    public bool IsApi => Path.StartsWith("/api/", StringComparison.Ordinal);

    public IEnumerable<ApiParameter> In(string where) => Parameters.Where(p => p.In == where);

    /// <summary>The path with each {param} replaced by its value (already URL-safe, or deliberately not).</summary>
    public string Url(Func<ApiParameter, string> value, string? query = null)
    {
        var path = Path;
        foreach (var p in In("path"))
        {
            path = path.Replace("{" + p.Name + "}", value(p), StringComparison.Ordinal);
        }

        return string.IsNullOrEmpty(query) ? path : $"{path}?{query}";
    }
}

/// <summary>
/// Reads /openapi/v1.json, so the security tests walk whatever the app serves today: a new endpoint is
/// covered the day it appears, without editing the tests.
/// </summary>
internal sealed class ApiDescription
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];
    private readonly JsonElement _schemas;

    private ApiDescription(JsonElement document, List<ApiOperation> operations)
    {
        _schemas = document.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s : default;
        Operations = operations;
    }

    public IReadOnlyList<ApiOperation> Operations { get; }

    public static async Task<ApiDescription> LoadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/openapi/v1.json");
        response.EnsureSuccessStatusCode();
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            var shared = path.Value.TryGetProperty("parameters", out var sp) ? sp.EnumerateArray().ToList() : [];
            foreach (var method in Methods)
            {
                if (!path.Value.TryGetProperty(method, out var op))
                {
                    continue;
                }

                var parameters = shared.Concat(op.TryGetProperty("parameters", out var ps) ? ps.EnumerateArray() : [])
                    .Select(p => new ApiParameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                        p.TryGetProperty("schema", out var schema) ? schema : default))
                    .ToList();
                JsonElement? json = null;
                var form = false;
                if (op.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content))
                {
                    foreach (var media in content.EnumerateObject())
                    {
                        if (media.Name.Contains("json", StringComparison.OrdinalIgnoreCase) && media.Value.TryGetProperty("schema", out var schema))
                        {
                            json = schema;
                        }
                        else if (media.Name.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase)
                                 || media.Name.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
                        {
                            form = true;
                        }
                    }
                }

                operations.Add(new ApiOperation(new HttpMethod(method.ToUpperInvariant()), path.Name, parameters, json, form));
            }
        }

        return new ApiDescription(document, operations);
    }

    /// <summary>Follows $ref and the oneOf/anyOf wrappers ASP.NET puts around nullable types, up to the described schema.</summary>
    public JsonElement Resolve(JsonElement schema)
    {
        for (var depth = 0; depth < 16 && schema.ValueKind == JsonValueKind.Object; depth++)
        {
            if (schema.TryGetProperty("$ref", out var r))
            {
                var name = r.GetString()!.Split('/')[^1];
                if (_schemas.ValueKind != JsonValueKind.Object || !_schemas.TryGetProperty(name, out schema))
                {
                    return default;
                }

                continue;
            }

            var current = schema;
            var wrapper = new[] { "oneOf", "anyOf", "allOf" }.FirstOrDefault(w => current.TryGetProperty(w, out _));
            if (wrapper is null)
            {
                return schema;
            }

            var choices = schema.GetProperty(wrapper).EnumerateArray().ToList();
            schema = choices.FirstOrDefault(c => !(c.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
        }

        return schema;
    }

    public ValueKind Kind(JsonElement schema)
    {
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return ValueKind.String;
        }

        if (schema.TryGetProperty("enum", out _))
        {
            return ValueKind.Enum;
        }

        var types = !schema.TryGetProperty("type", out var t) ? []
            : t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).ToList()
            : [t.GetString()];
        // ASP.NET describes numbers as ["integer", "string"] (they may be sent quoted): the number is what matters.
        return types.Contains("integer") ? ValueKind.Integer
            : types.Contains("number") ? ValueKind.Number
            : types.Contains("boolean") ? ValueKind.Boolean
            : types.Contains("array") ? ValueKind.Array
            : types.Contains("object") || schema.TryGetProperty("properties", out _) ? ValueKind.Object
            : ValueKind.String;
    }

    public static string? Format(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("format", out var f) ? f.GetString() : null;

    /// <summary>The properties of an object schema (empty for anything else).</summary>
    public IReadOnlyList<(string Name, JsonElement Schema, bool Required)> Properties(JsonElement schema)
    {
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("properties", out var props))
        {
            return [];
        }

        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()).ToHashSet() : [];
        return props.EnumerateObject().Select(p => (p.Name, p.Value, required.Contains(p.Name))).ToList();
    }

    /// <summary>
    /// A plausible value as raw JSON: <paramref name="known"/> by property name first (ids of real records,
    /// dates in a sensible order), else the simplest value of the schema's type.
    /// </summary>
    public string Sample(JsonElement schema, string? name, IReadOnlyDictionary<string, string> known, int depth = 0)
    {
        if (name is not null && known.TryGetValue(name, out var value))
        {
            return value;
        }

        var resolved = Resolve(schema);
        switch (Kind(schema))
        {
            case ValueKind.Integer:
            case ValueKind.Number:
                return "1";
            case ValueKind.Boolean:
                return "true";
            case ValueKind.Enum:
                return resolved.GetProperty("enum").EnumerateArray().First().GetRawText();
            case ValueKind.Array:
                return depth > 4 || !resolved.TryGetProperty("items", out var items) ? "[]" : $"[{Sample(items, null, known, depth + 1)}]";
            case ValueKind.Object:
                return depth > 4 ? "{}" : ObjectJson(Properties(schema).Select(p => (p.Name, Sample(p.Schema, p.Name, known, depth + 1))));
            default:
                return Format(resolved) switch
                {
                    "date-time" => JsonSerializer.Serialize(DateTimeOffset.UtcNow.AddDays(1)),
                    "date" => "\"2026-11-01\"",
                    _ => "\"x\"",
                };
        }
    }

    /// <summary>An object written member by member from raw JSON values, so deliberately broken values survive.</summary>
    public static string ObjectJson(IEnumerable<(string Name, string Raw)> members) =>
        "{" + string.Join(",", members.Select(m => JsonSerializer.Serialize(m.Name) + ":" + m.Raw)) + "}";
}

/// <summary>Clients and small helpers shared by the security tests.</summary>
internal static class SecurityHttp
{
    /// <summary>A client that does not follow redirects (a 3xx is an answer to judge) and carries <paramref name="token"/> if any.</summary>
    public static HttpClient Client(NeighbourHubAppFactory app, string? token = null)
    {
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public static string TokenOf(HttpClient signedIn) => signedIn.DefaultRequestHeaders.Authorization!.Parameter!;

    public static ByteArrayContent Raw(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        // Without validation: some of the content types sent are broken on purpose.
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    public static ByteArrayContent Raw(string body, string contentType) => Raw(Encoding.UTF8.GetBytes(body), contentType);

    public static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The first <paramref name="max"/> characters, on one line, for a failure message.</summary>
    public static string Excerpt(string body, int max = 200)
    {
        var line = body.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..max] + "…";
    }
}
