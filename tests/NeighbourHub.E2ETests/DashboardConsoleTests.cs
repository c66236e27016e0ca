using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using NeighbourHub.Web.Features.Repairs;

namespace NeighbourHub.E2ETests;

/// <summary>Each role's home page: charts, tiles and a to-do list whose items open the filtered lists; no link to a page the role cannot open; Chinese pages for forbidden and unknown addresses.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardConsoleTests(BrowserFixture fixture)
{
    /// <summary>An overdue repair in A1, escalated to adminA, so the to-do list has something in it.</summary>
    private async Task SeedOverdueAsync()
    {
        await using var db = fixture.App.SystemDb();
        var adminA = await db.Users.Where(u => u.UserName == "adminA").Select(u => u.Id).SingleAsync();
        var category = await db.RepairCategories.Where(c => c.EstateId == fixture.Org.EstateA1 && c.Name == "水电").Select(c => c.Id).SingleAsync();
        var now = DateTimeOffset.UtcNow;
        var repair = new Repair
        {
            EstateId = fixture.Org.EstateA1,
            CategoryId = category,
            Description = "楼道水管爆裂",
            Location = "1栋",
            CreatedAt = now.AddDays(-2),
            UpdatedAt = now,
            DeadlineAt = now.AddDays(-1),
            EscalationLevel = 1,
        };
        db.Repairs.Add(repair);
        await db.SaveChangesAsync();
        await RepairDayFigures.RebuildAsync(db, default); // written straight to the table: counted as the backfill does
        db.RepairEscalations.Add(new RepairEscalation { RepairId = repair.Id, Level = 1, AdminUserId = adminA, At = now });
        await db.SaveChangesAsync();
    }

    [Theory]
    [InlineData("platform", true)]
    [InlineData("adminA", true)]
    [InlineData("firmF", true)]
    [InlineData("gridA2", false)]
    [InlineData("committeeA1", false)]
    public async Task Each_role_sees_its_charts_tiles_and_to_do_list(string role, bool fees)
    {
        await SeedOverdueAsync();
        var page = await fixture.SignInAsync(role);
        // The first load of a role compiles its queries on a shared test machine: give it time, the progress bar shows meanwhile.
        await Assertions.Expect(page.GetByTestId("dashboard")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("todo")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=chart-repairs]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("tile-repairs-open")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("chart-collection")).ToHaveCountAsync(fees ? 1 : 0);
        await Assertions.Expect(page.GetByTestId("tile-fees-rate")).ToHaveCountAsync(fees ? 1 : 0);
        // The time bank is the community office's (ADR 0004).
        await Assertions.Expect(page.GetByTestId("tile-timebank")).ToHaveCountAsync(role is "platform" or "adminA" ? 1 : 0);
        Assert.True(await page.Locator("[data-testid=todo] a").CountAsync() > 0);
        await fixture.ScreenshotAsync(page, $"dashboard-{role}");
    }

    [Fact]
    public async Task A_to_do_item_opens_the_filtered_list()
    {
        await SeedOverdueAsync();
        var page = await fixture.SignInAsync("adminA");
        var overdue = page.GetByTestId("todo-repairs-overdue");
        await Assertions.Expect(page.GetByTestId("todo-repairs-overdue-count")).Not.ToHaveTextAsync("0", new() { Timeout = 30_000 });
        await overdue.ClickAsync();
        await page.WaitForURLAsync("**/admin/repairs?filter=overdue");

        await page.GotoAsync("/admin");
        await page.GetByTestId("todo-repairs-escalated").ClickAsync();
        await page.WaitForURLAsync("**/admin/repairs?filter=escalated");

        var committee = await fixture.SignInAsync("committeeA1");
        await Assertions.Expect(committee.GetByTestId("dashboard")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await committee.GetByTestId($"todo-fund-approve-{fixture.Org.EstateA1}").ClickAsync();
        await committee.WaitForURLAsync($"**/admin/fund/expenses?estate={fixture.Org.EstateA1}");
        await Assertions.Expect(committee.GetByTestId("forbidden")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_committees_overview_links_only_to_pages_it_can_open()
    {
        var page = await fixture.SignInAsync("committeeA1");
        await Assertions.Expect(page.GetByTestId("dashboard")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var hrefs = (await page.Locator("[data-testid=dashboard] a[href]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href'))"))
            .Distinct().ToList();
        Assert.NotEmpty(hrefs);
        Assert.DoesNotContain(hrefs, h => h.StartsWith("/admin/residences", StringComparison.Ordinal) || h.StartsWith("/admin/billing", StringComparison.Ordinal));
        foreach (var href in hrefs)
        {
            await page.GotoAsync(href);
            await page.Locator("h4, h5, [data-testid=forbidden], [data-testid=not-found]").First.WaitForAsync();
            Assert.True(await page.GetByTestId("forbidden").CountAsync() == 0, $"{href} is forbidden to the committee");
            Assert.True(await page.GetByTestId("not-found").CountAsync() == 0, $"{href} does not exist");
        }
    }

    [Fact]
    public async Task Forbidden_and_unknown_addresses_show_a_chinese_page_inside_the_console()
    {
        var page = await fixture.SignInAsync("committeeA1");
        await page.GotoAsync("/admin/residences");
        await Assertions.Expect(page.GetByTestId("forbidden")).ToContainTextAsync("无权访问");
        await Assertions.Expect(page.Locator(".mud-navmenu").First).ToBeVisibleAsync(); // inside the console, with its menu
        await fixture.ScreenshotAsync(page, "forbidden-committee");

        // A file the role may not fetch (the time bank's ledger) and one that does not exist.
        await page.GotoAsync("/admin/files/timebank/ledger.xlsx");
        await Assertions.Expect(page.GetByTestId("forbidden")).ToContainTextAsync("无权访问");
        var missing = await page.GotoAsync("/admin/files/photos/nothing-here");
        await Assertions.Expect(page.GetByTestId("not-found")).ToContainTextAsync("页面不存在");
        Assert.DoesNotContain("Not Found", await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(404, missing!.Status);

        var unknown = await page.GotoAsync("/admin/no-such-page");
        await Assertions.Expect(page.GetByTestId("not-found")).ToContainTextAsync("页面不存在");
        await Assertions.Expect(page.Locator(".mud-navmenu").First).ToBeVisibleAsync();
        Assert.Equal(404, unknown!.Status);
        await fixture.ScreenshotAsync(page, "not-found");
    }
}
