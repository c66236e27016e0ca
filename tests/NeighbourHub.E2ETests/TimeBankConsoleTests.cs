using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace NeighbourHub.E2ETests;

/// <summary>The service-orders page names volunteers as it names requesters: masked name and flat, not the WeChat nickname.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TimeBankConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task A_volunteer_is_listed_by_masked_name_and_flat_not_by_nickname()
    {
        var (resident, residentId, nickname) = await fixture.ResidentApiAsync("dev-helper");
        await fixture.VerifyResidentAsync(resident, fixture.Org.HouseholdsA1[^1], "赵志刚");
        using var admin = await fixture.AdminApiAsync("adminA");
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
