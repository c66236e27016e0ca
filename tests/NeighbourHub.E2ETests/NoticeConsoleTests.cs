using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace NeighbourHub.E2ETests;

/// <summary>
/// Notices in the console: the community admin composes and publishes a notice to an estate, a resident of the estate
/// opens it through the API, and the notice's page shows the read receipt per building.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class NoticeConsoleTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Staff_compose_and_publish_a_notice_and_see_its_read_receipts()
    {
        // A verified resident of estate A1 who will read it.
        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-notice-reader" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var residence = (await (await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[2], relation = "tenant", realName = "公告读者" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var office = await fixture.AdminApiAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await office.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);

        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync("/admin/notices");
        await page.GetByTestId("notice-new").ClickAsync();
        await page.WaitForURLAsync("**/admin/notices/new");
        await page.GetByLabel("标题").FillAsync("电梯年检通知（E2E）");
        await page.GetByLabel("正文").FillAsync("下周二对 1栋 电梯进行年度检验，检验期间暂停使用。");
        await page.GetByTestId("notice-publish").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex(@"/admin/notices/\d+$"));
        await Assertions.Expect(page.GetByTestId("notice-detail-title")).ToHaveTextAsync("电梯年检通知（E2E）");
        await Assertions.Expect(page.GetByTestId("notice-detail-status")).ToHaveTextAsync("已发布");
        var id = long.Parse(page.Url[(page.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        // The resident finds it in their list and opens it; the console then counts the flat as read.
        var mine = await resident.GetFromJsonAsync<JsonElement>("/api/v1/notices");
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), n => n.GetProperty("id").GetInt64() == id);
        Assert.Equal(HttpStatusCode.OK, (await resident.GetAsync($"/api/v1/notices/{id}")).StatusCode);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByTestId("notice-reads-summary")).ToContainTextAsync("已读 1 户");
        await Assertions.Expect(page.GetByTestId("notice-reads").Locator("svg").First).ToBeVisibleAsync();

        // The list shows it as published.
        await page.GotoAsync("/admin/notices");
        await Assertions.Expect(page.GetByTestId($"notice-row-{id}")).ToContainTextAsync("已发布");
    }
}
