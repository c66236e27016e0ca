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
        var row = Row(board, repairId);
        await row.WaitForAsync();
        await row.Locator(".mud-select").First.ClickAsync();
        await board.Locator(".mud-popover-open .mud-list-item").Filter(new LocatorFilterOptions { HasText = "firmF" }).ClickAsync();
        await Assertions.Expect(board.GetByText("已派单。")).ToBeVisibleAsync();

        // The firm's staff start and resolve it on their board.
        var firm = await fixture.SignInAsync("firmF");
        await firm.GotoAsync("/admin/repairs");
        var firmRow = Row(firm, repairId);
        await firmRow.GetByText("开始处理").ClickAsync();
        await firmRow.Locator("input[data-testid=repair-note], [data-testid=repair-note] input").First.FillAsync("更换了水管接头");
        // A photo of the fix, through MudFileUpload's file input (checked from its bytes like the API's uploads).
        await firmRow.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = "fix.png", MimeType = "image/png", Buffer = TestImages.Png });
        await Assertions.Expect(firmRow.GetByText("已上传 1 张照片")).ToBeVisibleAsync();
        await firmRow.GetByRole(AriaRole.Button, new() { Name = "办结", Exact = true }).ClickAsync();
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

    /// <summary>A repair's line on the board (a table row on wide screens, a stacked card on phones).</summary>
    private static ILocator Row(IPage page, long repairId) => page.Locator($"tr:has([data-testid=repair-{repairId}])");

    /// <summary>A repair taken down by phone for a flat of estate A1, by the firm's staff (so community A's admin sees the contact masked).</summary>
    private async Task<long> PhoneReportAsync(string description, string category = "水电")
    {
        using var admin = await fixture.AdminApiAsync("firmF");
        await using var db = fixture.App.SystemDb();
        var categoryId = db.RepairCategories.Where(c => c.EstateId == fixture.Org.EstateA1 && c.Name == category).Select(c => c.Id).Single();
        var created = await admin.PostAsJsonAsync("/api/v1/admin/repairs", new
        {
            estateId = fixture.Org.EstateA1,
            householdId = fixture.Org.HouseholdsA1[3],
            categoryId,
            description,
            location = "卫生间",
            reporterName = "欧阳娜娜",
            contactPhone = "13912345678",
            source = "phone",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task At_390_px_each_repair_is_a_readable_card_with_its_actions_on_screen_and_the_filter_link_selects_its_chip()
    {
        var waiting = await PhoneReportAsync("热水器进水阀一直滴水，地面有积水");
        var overdue = await PhoneReportAsync("卫生间地漏反味，已经超过期限");
        await using (var db = fixture.App.SystemDb())
        {
            var row = db.Repairs.Single(r => r.Id == overdue);
            row.DeadlineAt = DateTimeOffset.UtcNow.AddHours(-3);
            await db.SaveChangesAsync();
        }

        var page = await fixture.SignInAsync("adminA");
        await page.SetViewportSizeAsync(390, 844);

        // The home page's links: ?filter=overdue shows only overdue repairs, with 已超时 selected.
        await page.GotoAsync("/admin/repairs?filter=overdue");
        await Assertions.Expect(Row(page, overdue)).ToBeVisibleAsync();
        await Assertions.Expect(Row(page, waiting)).ToHaveCountAsync(0);
        var quick = page.GetByTestId("repair-quick");
        await Assertions.Expect(quick.Locator(".mud-chip-selected")).ToHaveTextAsync("已超时");

        await page.GotoAsync("/admin/repairs?filter=unassigned");
        await Assertions.Expect(quick.Locator(".mud-chip-selected")).ToHaveTextAsync("待派单");
        var card = Row(page, waiting);
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(card).ToContainTextAsync("电话报修");
        await Assertions.Expect(card).ToContainTextAsync("1栋1单元104");
        await Assertions.Expect(card).ToContainTextAsync("欧***"); // not the assignee: masked
        await fixture.ScreenshotAsync(page, "repair-board");
        await page.SetViewportSizeAsync(390, 844);

        // Stacked: every cell spans the card, so no column squeezes its text to one character a line.
        foreach (var cell in await card.Locator("td").AllAsync())
        {
            var box = await cell.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box.Width >= 300, $"a cell is {box.Width} px wide at 390 px");
        }

        var category = await card.Locator("td[data-label=类别]").BoundingBoxAsync();
        Assert.True(category!.Height < 60, $"the category cell is {category.Height} px tall");

        // The main actions are on screen, not beyond its right edge: dispatch and taking it on.
        var assign = card.GetByTestId("repair-assign");
        await assign.ScrollIntoViewIfNeededAsync();
        var box2 = await assign.BoundingBoxAsync();
        Assert.True(box2!.X >= 0 && box2.X + box2.Width <= 390, $"派给 spans {box2.X}–{box2.X + box2.Width} px");
        var grab = card.GetByText("我来接单");
        var grabBox = await grab.BoundingBoxAsync();
        Assert.True(grabBox!.X + grabBox.Width <= 390, $"我来接单 ends at {grabBox.X + grabBox.Width} px");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways at 390 px");

        // Wide: a table whose short columns never wrap (one line high headers).
        await page.SetViewportSizeAsync(1440, 900);
        var header = await page.Locator("th", new PageLocatorOptions { HasText = "类别" }).BoundingBoxAsync();
        Assert.True(header!.Height < 50, $"the 类别 header is {header.Height} px tall at 1440 px");

        // Export link carries the board's filter.
        var export = await page.GetByTestId("repair-export").GetAttributeAsync("href");
        Assert.Contains("filter=unassigned", export, StringComparison.Ordinal);
        var file = await page.Context.APIRequest.GetAsync(export!);
        Assert.Equal(200, file.Status);
    }
}
