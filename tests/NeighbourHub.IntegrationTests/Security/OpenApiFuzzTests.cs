using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static NeighbourHub.IntegrationTests.Security.SecurityHttp;

namespace NeighbourHub.IntegrationTests.Security;

/// <summary>
/// Generated from the served OpenAPI document: every operation gets no token, a token of the wrong kind,
/// and then (with the right kind of token) malformed bodies, form posts, path ids and query values.
/// Bad input is the client's mistake and must be answered as such: never a 5xx, never a redirect under
/// /api, and every 4xx under /api is RFC 7807 problem details. All failures are collected, so one run
/// lists every offending request.
/// </summary>
public sealed class OpenApiFuzzTests(AppFixture fixture, ITestOutputHelper output) : AppTest(fixture)
{
    /// <summary>
    /// The only operations callable without a token. A new anonymous endpoint fails the "no token → 401"
    /// rule until it is added here on purpose.
    /// </summary>
    private static readonly HashSet<string> Anonymous =
    [
        "POST /api/v1/auth/wechat/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/admin/auth/login",
        // WeChat Pay calls these; the signature of the body is the authentication.
        "POST /api/v1/payments/wechat/notify",
        "POST /api/v1/payments/wechat/refund-notify",
        // The fund's public keys: anyone verifying a head needs them, signed in or not.
        "GET /api/v1/fund/keys",
    ];

    /// <summary>
    /// Query parameters the document does not declare because the handler reads the query itself
    /// (GeoReport v2 names). Listed so they are fuzzed anyway; everything else comes from the document.
    /// </summary>
    private static readonly Dictionary<string, string[]> UndeclaredQuery = new()
    {
        ["GET /open311/v2/requests.json"] = ["service_code", "status", "start_date", "end_date", "service_request_id"],
    };

    // Every operation of the document gets every variant that applies to it. The one request that cannot be
    // sent is a path holding %00: TestServer refuses to build it (and Kestrel answers 400 itself before any
    // app code runs), so those few are counted and printed, not judged.

    private static readonly string TenThousand = new('长', 10_000);

    private static readonly (string Label, string Value)[] OddIds =
    [
        ("0", "0"), ("-1", "-1"), ("20 digits", "99999999999999999999"), ("abc", "abc"), ("%00", "%00"), ("300 chars", new string('9', 300)),
    ];

    [Fact]
    public async Task Every_operation_answers_bad_tokens_and_malformed_input_as_client_errors()
    {
        var watch = Stopwatch.StartNew();
        var (residentSignedIn, residentId) = await VerifiedResidentAsync("wx-fuzz", Org.HouseholdsA1[0]);
        var anonymous = Client(App);
        var resident = Client(App, TokenOf(residentSignedIn));
        var admin = Client(App, TokenOf(await App.AdminClientAsync("platform")));
        var api = await ApiDescription.LoadAsync(anonymous);

        // Real records to point at, so requests get past "not found" into the code behind it.
        var categories = await Json(await resident.GetAsync($"/api/v1/repair-categories?estateId={Org.EstateA1}"));
        var publicCategory = categories.EnumerateArray().First(c => c.GetProperty("isPublicArea").GetBoolean()).GetProperty("id").GetInt64();
        var issued = await admin.PostAsJsonAsync("/api/v1/admin/open311/keys", new { estateId = Org.EstateA1, label = "fuzz" });
        var apiKey = (await Json(issued)).GetProperty("apiKey").GetString()!;
        var now = DateTimeOffset.UtcNow;
        string When(TimeSpan offset) => JsonSerializer.Serialize(now + offset);
        var known = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["estateId"] = Id(Org.EstateA1),
            ["communityId"] = Id(Org.CommunityA),
            ["householdId"] = Id(Org.HouseholdsA1[0]),
            ["residentId"] = Id(residentId),
            ["categoryId"] = Id(publicCategory),
            ["buildingId"] = "null",
            ["startsAt"] = When(TimeSpan.FromDays(2)),
            ["endsAt"] = When(TimeSpan.FromDays(2.1)),
            ["signupOpensAt"] = When(TimeSpan.FromHours(-1)),
            ["signupClosesAt"] = When(TimeSpan.FromDays(1)),
            ["cancelDeadline"] = "null",
            ["activeFrom"] = "null",
            ["activeTo"] = "null",
            ["wantedAt"] = "null",
            ["coverImageUrl"] = "null",
            ["capacity"] = "10",
            ["pointsAwarded"] = "0",
            ["isVolunteer"] = "false",
            ["stars"] = "5",
            ["quantity"] = "1",
            ["pointsCost"] = "10",
            ["stock"] = "5",
            ["perPersonLimit"] = "0",
            ["validDays"] = "3",
            ["dueDay"] = "15",
            ["unitPriceFen"] = "100",
            ["kind"] = "\"perAreaMonthly\"",
            ["period"] = "\"2026-11\"",
            ["channel"] = "\"cash\"",
            ["effectiveFrom"] = "\"2026-01-01\"",
            ["effectiveTo"] = "\"2030-12-31\"",
            ["photoIds"] = "[]",
            ["skills"] = "[\"水电\"]",
            ["userName"] = "\"fuzz-nobody\"",
            ["code"] = "\"fuzz\"",
        };
        string PathValue(ApiParameter p) => known.TryGetValue(p.Name, out var v) && v.All(char.IsAsciiDigit) ? v : api.Kind(p.Schema) == ValueKind.Integer ? "1" : "x";

        var failures = new List<string>();
        var unsendable = new List<string>();
        var sent = 0;
        foreach (var op in api.Operations)
        {
            foreach (var probe in Probes(op))
            {
                using var request = new HttpRequestMessage(op.Method, probe.Url) { Content = probe.Content?.Invoke() };
                foreach (var (name, value) in probe.Headers ?? new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString("N") })
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                HttpResponseMessage sentResponse;
                try
                {
                    sentResponse = await probe.Client.SendAsync(request);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("null characters", StringComparison.Ordinal))
                {
                    unsendable.Add($"{op.Name} [{probe.Variant}]");
                    continue;
                }

                using var response = sentResponse;
                var body = await response.Content.ReadAsStringAsync();
                sent++;
                var problems = Judge(op, probe.Expect, response, body).ToList();
                if (problems.Count > 0)
                {
                    failures.Add($"{op.Name} [{probe.Variant}] → {(int)response.StatusCode} {string.Join("; ", problems)}: {Excerpt(body)}");
                }
            }
        }

        // TestServer never adds a Server header, so also check what Kestrel is told to do in production.
        if (App.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.AddServerHeader)
        {
            failures.Add("Kestrel: AddServerHeader is on, so every real response carries `Server: Kestrel`");
        }

        output.WriteLine($"{sent} requests for {api.Operations.Count} operations in {watch.Elapsed.TotalSeconds:0}s; not sendable in-process: "
                         + string.Join(", ", unsendable.GroupBy(u => u[u.IndexOf('[', StringComparison.Ordinal)..]).Select(g => $"{g.Key} ×{g.Count()}")));
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {sent} generated requests ({api.Operations.Count} operations, {watch.Elapsed.TotalSeconds:0}s) broke the rules:\n"
            + string.Join("\n", failures));

        IEnumerable<Probe> Probes(ApiOperation op)
        {
            var right = op.IsAdmin ? admin : op.IsApi ? resident : anonymous;
            var isAnonymous = Anonymous.Contains(op.Name) || !op.IsApi;
            var url = op.Url(PathValue);
            var sample = op.JsonBody is { } schema ? api.Sample(schema, null, known) : null;
            Func<HttpContent?>? sampleContent = sample is null ? null : () => Raw(sample, "application/json");

            // Authentication first: the same request without a token and with the other kind of token.
            yield return new("no token", anonymous, url, sampleContent, isAnonymous ? null : 401);
            yield return new("wrong-kind token", op.IsAdmin ? resident : admin, url, sampleContent, isAnonymous ? null : 401);
            yield return new("plausible request", right, url, sampleContent);

            foreach (var p in op.In("path"))
            {
                foreach (var (label, odd) in OddIds)
                {
                    yield return new($"path {p.Name}={label}", right, op.Url(x => x == p ? odd : PathValue(x)), sampleContent);
                }
            }

            var query = op.In("query").Select(p => (p.Name, Kind: api.Kind(p.Schema), Format: ApiDescription.Format(api.Resolve(p.Schema))))
                .Concat(UndeclaredQuery.GetValueOrDefault(op.Name, []).Select(n => (Name: n, Kind: ValueKind.String, Format: (string?)null)))
                .ToList();
            foreach (var (name, kind, format) in query)
            {
                foreach (var (label, value) in QueryValues(kind, format))
                {
                    yield return new($"query {name}={label}", right, op.Url(PathValue, $"{name}={value}"), sampleContent);
                }
            }

            if (query.Any(q => q.Name == "page") && query.Any(q => q.Name == "pageSize"))
            {
                foreach (var paging in new[] { "page=2147483647&pageSize=100", "page=0", "pageSize=101", "pageSize=-1", "page=-2147483648&pageSize=100" })
                {
                    yield return new($"query {paging}", right, op.Url(PathValue, paging), sampleContent);
                }
            }

            foreach (var p in op.In("header"))
            {
                foreach (var (label, value) in new[] { ("10,000 chars", new string('k', 10_000)), ("non-ASCII", "键-ключ") })
                {
                    yield return new($"header {p.Name} {label}", right, url, sampleContent, Headers: new Dictionary<string, string> { [p.Name] = value });
                }
            }

            if (op.Method == HttpMethod.Get)
            {
                yield break;
            }

            if (op.JsonBody is { } body)
            {
                foreach (var (label, json) in BodyVariants(body))
                {
                    yield return new($"body {label}", right, url, () => Raw(json, "application/json"));
                }

                // Invalid UTF-8 (an encoded lone surrogate) inside a string member, where the reader must decode it.
                if (api.Properties(body).FirstOrDefault(f => api.Kind(f.Schema) == ValueKind.String && !known.ContainsKey(f.Name)) is { Name: { } field })
                {
                    var text = ApiDescription.ObjectJson(api.Properties(body).Select(f => (f.Name, f.Name == field ? "\"@@\"" : api.Sample(f.Schema, f.Name, known))));
                    var bytes = Encoding.UTF8.GetBytes(text);
                    var at = text.IndexOf("@@", StringComparison.Ordinal);
                    byte[] broken = [.. bytes[..at], 0xED, 0xA0, 0x80, .. bytes[(at + 2)..]];
                    yield return new($"body {field}=invalid UTF-8", right, url, () => Raw(broken, "application/json"));
                }
            }

            // Bodies that are not JSON at all, for every operation that takes a body or none.
            var plain = sample ?? "{}";
            yield return new("empty JSON body", right, url, () => Raw([], "application/json"));
            yield return new("non-JSON body", right, url, () => Raw("this is not JSON {", "application/json"));
            yield return new("bogus charset", right, url, () => Raw(plain, "application/json; charset=rb-bogus"));
            yield return new("wrong content type", right, url, () => Raw(plain, "text/plain"));

            // Form posts: declared ones (household import) and those the document cannot describe because the
            // handler reads the request itself (file upload, Open311). Sent to every body-less operation too.
            if (op.FormBody || op.JsonBody is null)
            {
                foreach (var (label, content) in FormVariants(apiKey, publicCategory))
                {
                    yield return new($"form {label}", right, url, content);
                }
            }
        }

        IEnumerable<(string Label, string Json)> BodyVariants(JsonElement schema)
        {
            var fields = api.Properties(schema).Select(f => (f.Name, f.Schema, f.Required, Sample: api.Sample(f.Schema, f.Name, known))).ToList();
            string With(string name, string? raw) =>
                ApiDescription.ObjectJson(fields.Where(f => f.Name != name || raw is not null).Select(f => (f.Name, f.Name == name ? raw! : f.Sample)));

            foreach (var f in fields)
            {
                yield return ($"{f.Name}=null", With(f.Name, "null"));
                if (f.Required)
                {
                    yield return ($"{f.Name} missing", With(f.Name, null));
                }

                foreach (var (label, raw) in FieldValues(api.Kind(f.Schema), ApiDescription.Format(api.Resolve(f.Schema)), f.Schema))
                {
                    yield return ($"{f.Name}={label}", With(f.Name, raw));
                }
            }

            var all = ApiDescription.ObjectJson(fields.Select(f => (f.Name, f.Sample)));
            yield return ("unknown field", all.Length > 2 ? all[..^1] + ",\"isAdmin\":true}" : "{\"isAdmin\":true}");
            yield return ("{} (required fields missing)", "{}");
            yield return ("null", "null");
            yield return ("array instead of object", "[]");
            yield return ("cut short", all[..^1]);
        }

        IEnumerable<(string Label, string Raw)> FieldValues(ValueKind kind, string? format, JsonElement schema)
        {
            switch (kind)
            {
                case ValueKind.Integer:
                case ValueKind.Number:
                    return [("\"abc\"", "\"abc\""), ("true", "true"), ("{}", "{}"), ("long.MaxValue", "9223372036854775807"), ("-1", "-1"),
                        ("1e308", "1e308"), ("20 digits", "99999999999999999999")];
                case ValueKind.Boolean:
                    return [("\"yes\"", "\"yes\""), ("1", "1")];
                case ValueKind.Array:
                    var items = api.Resolve(schema).TryGetProperty("items", out var i) ? i : default;
                    var wrongItem = items.ValueKind == JsonValueKind.Object && api.Kind(items) is ValueKind.Integer or ValueKind.Number ? "\"abc\"" : "{}";
                    return [("{}", "{}"), ("\"x\"", "\"x\""), ("[wrong item type]", $"[{wrongItem}]"), ("[null]", "[null]"),
                        ("[long.MaxValue]", "[9223372036854775807]"), ("10,000 items", "[" + string.Join(",", Enumerable.Repeat(items.ValueKind == JsonValueKind.Object ? api.Sample(items, null, known) : "1", 10_000)) + "]")];
                case ValueKind.Object:
                    return [("[]", "[]"), ("\"x\"", "\"x\"")];
                default:
                    var values = new List<(string, string)>
                    {
                        ("123", "123"), ("[]", "[]"), ("10,000 chars", JsonSerializer.Serialize(TenThousand)),
                        ("escaped control chars", "\"a\\u0000\\u0001\\u001b\\u007fb\""), ("raw control char", "\"a\u0001b\""), ("lone surrogate", "\"\\ud800\""),
                        ("-1", "\"-1\""),
                    };
                    if (kind == ValueKind.Enum)
                    {
                        values.Add(("unknown enum value", "\"no-such-value\""));
                    }

                    if (format is "date" or "date-time")
                    {
                        values.Add(("impossible date", "\"2026-13-45T25:61:00+08:00\""));
                        values.Add(("year 9999", "\"9999-12-31T23:59:59+14:00\""));
                        values.Add(("year 1", "\"0001-01-01T00:00:00-14:00\""));
                    }

                    return values;
            }
        }
    }

    /// <summary>Query values: the wrong type, numbers past every integer type, and very long or undecodable text.</summary>
    private static IEnumerable<(string Label, string Value)> QueryValues(ValueKind kind, string? format) => kind switch
    {
        ValueKind.Integer or ValueKind.Number =>
            [("abc", "abc"), ("20 digits", "99999999999999999999"), ("long.MaxValue", "9223372036854775807"), ("-1", "-1"), ("1e308", "1e308"), ("empty", "")],
        ValueKind.Boolean => [("maybe", "maybe"), ("2", "2")],
        _ when format is "date" or "date-time" => [("not a date", "yesterday"), ("impossible date", "2026-13-45"), ("year 9999", "9999-12-31T23:59:59%2B14:00"), ("year 1", "0001-01-01"), ("first instant", "0001-01-01T00:00:00-14:00")],
        _ => [("unknown value", "no-such-value"), ("10,000 chars", Uri.EscapeDataString(TenThousand)), ("%00", "a%00b"), ("invalid UTF-8", "%ED%A0%80"), ("-1", "-1")],
    };

    /// <summary>
    /// Broken form posts. The well-formed parts carry a real Open311 key and public service code, so the
    /// GeoReport POST reads its fields for real; other endpoints simply find nothing they want.
    /// </summary>
    private static IEnumerable<(string Label, Func<HttpContent?> Content)> FormVariants(string apiKey, long serviceCode)
    {
        const string boundary = "fuzz-boundary";
        var png = RepairPhotoTests.Png;
        string Part(string name, string value) => $"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n";
        byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);
        var fields = Part("api_key", apiKey) + Part("service_code", Id(serviceCode)) + Part("address_string", "1栋门口");
        var filePart = Bytes($"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n");
        var type = $"multipart/form-data; boundary={boundary}";

        return
        [
            ("multipart without a boundary", () => Raw(Bytes(fields + $"--{boundary}--\r\n"), "multipart/form-data")),
            ("multipart cut short", () => Raw([.. Bytes(fields), .. filePart, .. png[..8]], type)),
            ("multipart broken part header", () => Raw(Bytes($"--{boundary}\r\nContent-Disposition form-data name file\r\n\u0001\u0002 garbage\r\n\r\nvalue\r\n--{boundary}--\r\n"), type)),
            ("multipart NUL in a value", () => Raw([.. Bytes(fields + Part("description", "漏水\0了")), .. filePart, .. png, .. Bytes($"\r\n--{boundary}--\r\n")], type)),
            ("urlencoded NUL in a value", () => Raw($"api_key={apiKey}&service_code={serviceCode}&address_string=x&description=a%00b", "application/x-www-form-urlencoded")),
        ];
    }

    /// <summary>Everything wrong with one answer (nothing when it is fine).</summary>
    private static IEnumerable<string> Judge(ApiOperation op, int? expected, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (response.Headers.Contains("Server"))
        {
            yield return "has a Server header";
        }

        if (expected is { } e && status != e)
        {
            yield return $"expected {e}";
        }

        if (status >= 500)
        {
            yield return "is a server error";
        }

        if (op.IsApi && status is >= 300 and < 400)
        {
            yield return $"redirects under /api (to {response.Headers.Location})";
        }

        if (status is >= 400 and < 500)
        {
            var media = response.Content.Headers.ContentType?.MediaType;
            var fine = media == "application/problem+json"
                       // GeoReport v2 clients parse [{code, description}]: the protocol's own error shape.
                       || (!op.IsApi && media == "application/json" && IsGeoReportError(body))
                       // WeChat Pay expects {code: "FAIL", message} from its callbacks: its protocol, not ours.
                       || (op.Path.StartsWith("/api/v1/payments/wechat/", StringComparison.Ordinal) && media == "application/json" && IsWeChatPayFail(body));
            if (!fine)
            {
                yield return $"is a 4xx with Content-Type {media ?? "(none)"}, not application/problem+json";
            }
        }
    }

    private static bool IsGeoReportError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Array && doc.RootElement.GetArrayLength() > 0
                   && doc.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out _) && e.TryGetProperty("description", out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsWeChatPayFail(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("code", out var c) && c.GetString() == "FAIL";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>One generated request; <see cref="Expect"/> is a status that must come back, when there is one.</summary>
    private sealed record Probe(string Variant, HttpClient Client, string Url, Func<HttpContent?>? Content, int? Expect = null,
        IReadOnlyDictionary<string, string>? Headers = null);
}
