using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace NeighbourHub.IntegrationTests;

/// <summary>Bad input is the client's mistake: 400/413 problem details with fields and a trace id, never a 500.</summary>
public sealed class BadInputTests(AppFixture fixture) : AppTest(fixture)
{
    public static TheoryData<string, string> BadBodies => new()
    {
        { "malformed JSON", "{\"householdId\": 1," },
        { "wrong type", "{\"householdId\": \"one\", \"relation\": \"owner\", \"realName\": \"x\"}" },
        { "unknown enum value", "{\"householdId\": 1, \"relation\": \"landlord\", \"realName\": \"x\"}" },
        { "enum as number", "{\"householdId\": 1, \"relation\": 0, \"realName\": \"x\"}" },
        { "unknown field", "{\"householdId\": 1, \"relation\": \"owner\", \"realName\": \"x\", \"isAdmin\": true}" },
        { "missing fields", "{}" },
        { "null body", "null" },
        { "array instead of object", "[]" },
        { "too long name", "{\"householdId\": 1, \"relation\": \"owner\", \"realName\": \"" + new string('名', 51) + "\"}" },
        { "negative id", "{\"householdId\": -5, \"relation\": \"owner\", \"realName\": \"x\"}" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_application_bodies_are_400_problem_details(string because, string body)
    {
        var resident = await App.ResidentClientAsync("wx-sloppy");
        var response = await resident.PostAsync("/api/v1/me/residences", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{because}: got {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _), because);
        if (because != "null body")
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(), because);
        }
    }

    [Fact]
    public async Task Oversize_json_body_is_413()
    {
        var resident = await App.ResidentClientAsync("wx-verbose");
        var huge = "{\"householdId\": 1, \"relation\": \"owner\", \"realName\": \"" + new string('x', 300 * 1024) + "\"}";
        var response = await resident.PostAsync("/api/v1/me/residences", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_content_type_and_bad_query_values_are_client_errors()
    {
        var resident = await App.ResidentClientAsync("wx-odd");
        var text = await resident.PostAsync("/api/v1/me/residences", new StringContent("householdId=1", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);

        var admin = await App.AdminClientAsync("platform");
        var badStatus = await admin.GetAsync("/api/v1/admin/residences?status=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.True((await Json(badStatus)).GetProperty("errors").TryGetProperty("status", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/admin/residences?pageSize=101")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/admin/residences?page=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/v1/admin/residences?estateId=abc")).StatusCode);
    }

    [Fact]
    public async Task Login_without_a_code_or_with_a_bad_one_is_a_field_error()
    {
        var client = App.CreateClient();
        var empty = await client.PostAsync("/api/v1/auth/wechat/login", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        var bad = await client.PostAsync("/api/v1/auth/wechat/login", new StringContent("{\"code\":\"nonsense\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await Json(bad)).GetProperty("errors").TryGetProperty("code", out _));
        var used = await client.PostAsync("/api/v1/auth/wechat/login", new StringContent("{\"code\":\"used-1\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, used.StatusCode);
        var risky = await client.PostAsync("/api/v1/auth/wechat/login", new StringContent("{\"code\":\"risky-1\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, risky.StatusCode);
    }

    [Fact]
    public async Task Health_openapi_and_security_headers()
    {
        var client = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await Json(await client.GetAsync("/health/ready"));
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToHashSet();
        Assert.Contains("database", checks);
        Assert.Contains("redis", checks);

        var openApi = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var doc = await Json(openApi);
        var paths = doc.GetProperty("paths");
        foreach (var route in new[] { "/api/v1/auth/wechat/login", "/api/v1/auth/refresh", "/api/v1/auth/wechat/phone", "/api/v1/me",
                     "/api/v1/estates", "/api/v1/estates/{estateId}/households", "/api/v1/me/residences", "/api/v1/admin/auth/login",
                     "/api/v1/admin/residences/{id}/approve", "/api/v1/admin/residences/{id}/reject" })
        {
            Assert.True(paths.TryGetProperty(route, out _), $"OpenAPI lacks {route}");
        }

        Assert.Equal("nosniff", openApi.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", openApi.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task Unreadable_bodies_are_4xx_problems_on_every_kind_of_endpoint()
    {
        var resident = await App.ResidentClientAsync("wx-garbled");
        // A charset JSON does not have: refused before any endpoint reads it.
        var bogus = new StringContent("{}", Encoding.UTF8);
        bogus.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=rb-bogus");
        var charset = await resident.PostAsync("/api/v1/me/residences", bogus);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, charset.StatusCode);
        Assert.Equal("application/problem+json", charset.Content.Headers.ContentType?.MediaType);

        // Multipart bodies the framework cannot parse: no boundary, cut short, a broken header line, a NUL in a value.
        var bodies = new (string ContentType, string Body)[]
        {
            ("multipart/form-data", "--x\r\n"),
            ("multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nhalf"),
            ("multipart/form-data; boundary=abc", "--abc\r\nthis is not a header\r\n\r\nhello\r\n--abc--\r\n"),
            ("application/x-www-form-urlencoded", "api_key=a%00b&service_code=1"),
        };
        foreach (var (type, body) in bodies)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            var upload = await resident.PostAsync("/api/v1/files", content);
            Assert.True(upload.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType, $"{type} {body}: {(int)upload.StatusCode}");
            Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);

            var open311Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            open311Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            var open311 = await App.CreateClient().PostAsync("/open311/v2/requests.json", open311Content);
            Assert.Equal(HttpStatusCode.BadRequest, open311.StatusCode);
            var errors = await Json(open311);
            Assert.Equal(400, errors[0].GetProperty("code").GetInt32()); // GeoReport's own error shape
        }

        await using var db = App.SystemDb();
        Assert.Equal(0, await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.CountAsync(db.StoredFiles));
    }

    [Fact]
    public async Task Admin_api_routes_answer_401_and_403_never_a_redirect_to_the_console_login()
    {
        var anonymous = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var resident = await App.ResidentClientAsync("wx-wanderer");
        var committee = await App.AdminClientAsync("committeeA1");
        foreach (var route in new[] { "/api/v1/admin/bills", "/api/v1/admin/fee-items", "/api/v1/admin/staff?estateId=1", "/api/v1/admin/files/abc" })
        {
            var none = await anonymous.GetAsync(route);
            Assert.True(none.StatusCode == HttpStatusCode.Unauthorized, $"{route} without a token: {(int)none.StatusCode}");
            Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Unauthorized, (await resident.GetAsync(route)).StatusCode);
        }

        // Whatever the client says it accepts, an API problem is JSON.
        var html = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        html.Headers.Accept.ParseAdd("text/html");
        var htmlAnswer = await anonymous.SendAsync(html);
        Assert.Equal(HttpStatusCode.Unauthorized, htmlAnswer.StatusCode);
        Assert.Equal("application/problem+json", htmlAnswer.Content.Headers.ContentType?.MediaType);

        var forbidden = await committee.GetAsync("/api/v1/admin/bills");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Out_of_range_paging_and_unbindable_values_are_field_errors_in_the_products_words()
    {
        var admin = await App.AdminClientAsync("platform");
        var overflow = await admin.GetAsync("/api/v1/admin/residences?page=2147483647&pageSize=100");
        Assert.Equal(HttpStatusCode.BadRequest, overflow.StatusCode);
        Assert.True((await Json(overflow)).GetProperty("errors").TryGetProperty("page", out _));

        var unbindable = await admin.GetAsync("/api/v1/admin/residences?page=abc");
        Assert.Equal(HttpStatusCode.BadRequest, unbindable.StatusCode);
        var text = await unbindable.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Nullable", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to bind", text, StringComparison.Ordinal);
        Assert.True((await Json(unbindable)).GetProperty("errors").TryGetProperty("page", out _));
        Assert.False(unbindable.Headers.Contains("Server"));
    }

    [Fact]
    public async Task Unknown_api_route_is_a_404_problem()
    {
        var client = App.CreateClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var response = await client.GetAsync("/api/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
