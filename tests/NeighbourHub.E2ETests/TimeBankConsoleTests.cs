using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace NeighbourHub.E2ETests;

/// <summary>The service-orders page names volunteers as it names requesters: masked name and flat, not the WeChat nickname.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TimeBankConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_volunteer_is_listed_by_masked_name_and_flat_not_by_nickname()
    {
        var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-helper" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var residentId = login.GetProperty("resident").GetProperty("id").GetInt64();
        var nickname = login.GetProperty("resident").GetProperty("nickname").GetString()!;
        using var admin = await fixture.AdminApiAsync("adminA");
        var applied = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[^1], relation = "owner", realName = "赵志刚" });
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        var residence = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await resident.PostAsJsonAsync("/api/v1/me/volunteer", new { skills = new[] { "水电" }, intro = "退休电工" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/volunteers/{residentId}/approve", null)).StatusCode);

        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync("/admin/service-orders");
        await page.GetByRole(AriaRole.Tab, new() { Name = "志愿者" }).ClickAsync();
        var row = page.Locator("tr", new() { HasText = "退休电工" });
        await Assertions.Expect(row).ToContainTextAsync("赵** · ");
        await Assertions.Expect(row).Not.ToContainTextAsync(nickname);
        await fixture.ScreenshotAsync(page, "timebank-volunteers");
    }
}
