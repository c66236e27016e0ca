using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

[Collection(BrowserCollection.Name)]
public sealed class RepairBoardTests(BrowserFixture fixture)
{
    [Fact]
    public async Task Staff_assign_and_resolve_on_the_board_and_the_resident_rates_through_the_API()
    {
        using var resident = fixture.Api();
        var login = await (await resident.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code = "dev-leaky-tap" })).Content.ReadFromJsonAsync<JsonElement>();
        resident.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var residence = (await (await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId = fixture.Org.HouseholdsA1[1], relation = "owner", realName = "漏水" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var admin = await fixture.AdminApiAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        var categories = await resident.GetFromJsonAsync<JsonElement>($"/api/v1/repair-categories?estateId={fixture.Org.EstateA1}");
        var water = categories.EnumerateArray().First(c => c.GetProperty("name").GetString() == "水电").GetProperty("id").GetInt64();
        var submitted = await resident.PostAsJsonAsync("/api/v1/repairs", new { estateId = fixture.Org.EstateA1, categoryId = water, description = "厨房水管漏水", location = "1栋1单元102" });
        var repairId = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        // The community admin dispatches it to the firm's staff on the board.
        var board = await fixture.SignInAsync("adminA");
        await board.GotoAsync("/admin/repairs");
        var row = board.Locator($"[data-testid=repair-{repairId}]");
        await row.WaitForAsync();
        await row.Locator(".mud-select").First.ClickAsync();
        await board.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasText = "firmF" }).ClickAsync();
        await Assertions.Expect(board.GetByText("已派单。")).ToBeVisibleAsync();

        // The firm's staff start and resolve it on their board.
        var firm = await fixture.SignInAsync("firmF");
        await firm.GotoAsync("/admin/repairs");
        var firmRow = firm.Locator($"[data-testid=repair-{repairId}]");
        await firmRow.GetByText("开始处理").ClickAsync();
        await firmRow.Locator("input:not([type=file])").Last.FillAsync("更换了水管接头");
        // A photo of the fix, through the browser's file input (checked from its bytes like the API's uploads).
        await firmRow.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "fix.png", MimeType = "image/png", Buffer = TestImages.Png });
        await Assertions.Expect(firmRow.GetByText("已上传 1 张照片")).ToBeVisibleAsync();
        await firmRow.GetByText("办结").ClickAsync();
        await Assertions.Expect(firm.GetByText("已办结，等待居民评价。")).ToBeVisibleAsync();

        var rated = await resident.PostAsJsonAsync($"/api/v1/repairs/{repairId}/rating", new { stars = 5, comment = "及时" });
        Assert.Equal(HttpStatusCode.OK, rated.StatusCode);
        var detail = await resident.GetFromJsonAsync<JsonElement>($"/api/v1/repairs/{repairId}");
        Assert.Equal("closed", detail.GetProperty("status").GetString());
        Assert.Contains(detail.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("note").GetString() == "更换了水管接头");
        var photo = Assert.Single(detail.GetProperty("photos").EnumerateArray());
        Assert.Equal("resolution", photo.GetProperty("stage").GetString());
        Assert.Equal(TestImages.Png, await resident.GetByteArrayAsync(photo.GetProperty("url").GetString()));

        // The KPI page counts it; one repair is shown but not ranked.
        await board.GotoAsync("/admin/repairs/kpis");
        var estateRow = board.GetByTestId($"kpi-estate:{fixture.Org.EstateA1}");
        await Assertions.Expect(estateRow).ToContainTextAsync("不排名");
        await Assertions.Expect(estateRow).ToContainTextAsync("100%");
    }
}
