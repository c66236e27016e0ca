using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

[Collection(BrowserCollection.Name)]
public sealed class ResidenceApprovalTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Admin_approves_in_the_console_what_a_resident_filed_through_the_API()
    {
        // The resident, through the mini-program API (sandbox login).
        using var api = fixture.Api();
        var login = await (await api.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-e2e-resident" })).Content.ReadFromJsonAsync<JsonElement>();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var apply = await api.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[0], relation = "owner", realName = "浏览器" });
        Assert.Equal(HttpStatusCode.Created, apply.StatusCode);
        var id = (await apply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // The community admin, in the console.
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/admin/residences");
        await page.WaitForURLAsync("**/admin/login**"); // not signed in yet: sent to the login page
        await BrowserFixture.SubmitSignInAsync(page, "adminA");
        await Diagnose(page, () => page.WaitForURLAsync("**/admin/residences"));

        var approve = page.Locator($"[data-testid=approve-{id}]");
        await approve.WaitForAsync();
        await Assertions.Expect(page.GetByText("浏*")).ToBeVisibleAsync(); // the list shows the masked name
        await approve.ClickAsync();
        await Assertions.Expect(page.GetByText("已通过。")).ToBeVisibleAsync();
        await Assertions.Expect(approve).ToHaveCountAsync(0);

        // The resident sees it.
        var me = await api.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal("approved", me.GetProperty("residences")[0].GetProperty("status").GetString());
    }

    /// <summary>On failure, keeps a screenshot and the page's HTML next to the test results.</summary>
    private static async Task Diagnose(IPage page, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch
        {
            var folder = Path.Combine(AppContext.BaseDirectory, "e2e-failures");
            Directory.CreateDirectory(folder);
            var name = $"{DateTimeOffset.UtcNow:HHmmss}-{Guid.NewGuid():N}";
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
            await File.WriteAllTextAsync(Path.Combine(folder, name + ".html"), $"<!-- {page.Url} -->\n" + await page.ContentAsync());
            throw;
        }
    }

    [Fact]
    public async Task A_wrong_password_is_explained_and_a_foreign_admin_sees_nothing_of_another_community()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/admin/login");
        await BrowserFixture.SubmitSignInAsync(page, "adminB", "not-the-password");
        await Diagnose(page, () => Assertions.Expect(page.Locator("[data-testid=login-error]")).ToContainTextAsync("用户名或密码错误"));

        await BrowserFixture.SubmitSignInAsync(page, "adminB");
        await page.WaitForURLAsync("**/admin");
        await Assertions.Expect(page.Locator("[data-testid=signed-in-as]")).ToHaveTextAsync("adminB");
        await page.GotoAsync("/admin/estates");
        await Assertions.Expect(page.GetByText("乙一小区")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("甲一小区")).ToHaveCountAsync(0);
    }
}
