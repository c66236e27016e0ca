using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using MiniExcelLibs;

namespace NeighbourHub.E2ETests;

/// <summary>The households desk in a real browser: the import's preview, search from the app bar, the owner roster.</summary>
[Collection(BrowserCollection.Name)]
public sealed class HouseholdDeskTests(BrowserFixture fixture)
{
    private static byte[] Roll(string building, string room, string area)
    {
        using var stream = new MemoryStream();
        stream.SaveAs(new[] { new Dictionary<string, object> { ["楼栋"] = building, ["单元"] = "1单元", ["房号"] = room, ["建筑面积"] = area } });
        return stream.ToArray();
    }

    [Fact]
    public async Task The_import_page_has_no_native_file_input_and_a_changed_area_waits_for_confirmation()
    {
        var page = await fixture.SignInAsync("adminA");
        await page.GotoAsync("/admin/households/import");
        var choose = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "选择房屋名册（.xlsx）" });
        await Assertions.Expect(choose).ToBeVisibleAsync();
        // MudFileUpload keeps its input hidden behind the button: no browser "Choose File" box anywhere.
        foreach (var input in await page.Locator("input[type=file]").AllAsync())
        {
            Assert.False(await input.IsVisibleAsync());
        }

        await Assertions.Expect(page.GetByText("Choose File")).ToHaveCountAsync(0);

        await page.Locator("[data-testid=import-estate]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasText = "甲二小区" }).ClickAsync();

        // A new flat is imported at once.
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "roll.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = Roll("9栋", "901", "88.00") });
        await Assertions.Expect(page.Locator("[data-testid=import-done]")).ToContainTextAsync("新增 1 户");

        // Changing its area is previewed, old → new, and applied only when confirmed.
        await page.Locator("input[type=file]").Last.SetInputFilesAsync(new FilePayload { Name = "roll2.xlsx", MimeType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Buffer = Roll("9栋", "901", "99.50") });
        await Assertions.Expect(page.Locator("[data-testid=import-preview]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("88.00 → 99.50")).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "household-import-preview");
        await page.Locator("[data-testid=import-confirm]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=import-done]")).ToContainTextAsync("更新 1 户");

        using var admin = await fixture.AdminApiAsync("adminA");
        var flats = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/admin/estates/{fixture.Org.EstateA2}/households?q=9-1-901");
        Assert.Equal(99.5m, flats.GetProperty("items")[0].GetProperty("areaM2").GetDecimal());
    }

    [Fact]
    public async Task Search_from_the_app_bar_finds_a_flat_and_opens_its_roster_with_masked_phones()
    {
        // A resident of 甲一小区 1栋1单元103 with a bound phone, approved.
        using var api = fixture.Api();
        var login = await (await api.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-e2e-roster" })).Content.ReadFromJsonAsync<JsonElement>();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/v1/auth/wechat/phone", new { code = "dev-13866661234" })).StatusCode);
        var apply = await api.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[2], relation = "owner", realName = "档案测试" });
        var residence = (await apply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using (var admin = await fixture.AdminApiAsync("adminA"))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        }

        var page = await fixture.SignInAsync("firmF");
        var box = page.Locator("[data-testid=app-search] input, input[data-testid=app-search]").First;
        await box.FillAsync("1-1-103");
        await box.PressAsync("Enter");
        await page.WaitForURLAsync("**/admin/search?q=1-1-103");
        var hit = page.Locator("[data-testid=search-group-household]").GetByText("甲一小区 1栋1单元103");
        await Assertions.Expect(hit).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "search-results");
        await hit.ClickAsync();
        await page.WaitForURLAsync($"**/admin/estates/{fixture.Org.EstateA1}/roster?household={fixture.Org.HouseholdsA1[2]}");

        var phone = page.Locator($"[data-testid=phone-{residence}]");
        await Assertions.Expect(phone).ToHaveTextAsync("138****1234");
        await Assertions.Expect(page.GetByText("档案测试")).ToBeVisibleAsync();
        await fixture.ScreenshotAsync(page, "roster");
        await page.Locator($"[data-testid=reveal-{residence}]").ClickAsync();
        await Assertions.Expect(phone).ToHaveTextAsync("13866661234");

        // The committee reads the same roster masked, with no reveal button.
        var committee = await fixture.SignInAsync("committeeA1");
        await committee.GotoAsync($"/admin/estates/{fixture.Org.EstateA1}/roster?household={fixture.Org.HouseholdsA1[2]}");
        await Assertions.Expect(committee.Locator($"[data-testid=phone-{residence}]")).ToHaveTextAsync("138****1234");
        await Assertions.Expect(committee.GetByText("档*")).ToBeVisibleAsync();
        await Assertions.Expect(committee.Locator($"[data-testid=reveal-{residence}]")).ToHaveCountAsync(0);
    }
}
