using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using NeighbourHub.Web.Features.Dashboard;
using NeighbourHub.Web.Features.Dashboard.Admin;

namespace NeighbourHub.ComponentTests;

/// <summary>The home page's parts: a tile, the to-do list, the charts.</summary>
public sealed class DashboardComponentTests
{
    private static BunitContext NewContext()
    {
        var ctx = new BunitContext();
        ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        return ctx;
    }

    [Fact]
    public async Task A_tile_shows_its_figure_and_links_only_when_given_a_link()
    {
        await using var ctx = NewContext();
        var linked = ctx.Render<KpiTile>(p => p.Add(t => t.Title, "超时未办结").Add(t => t.Value, "7").Add(t => t.Caption, "已升级 2")
            .Add(t => t.Href, "/admin/repairs?filter=overdue").Add(t => t.TestId, "tile-overdue"));
        Assert.Equal("超时未办结", linked.Find("[data-testid=tile-overdue] .mud-typography-caption").TextContent);
        Assert.Equal("7", linked.Find("[data-testid=tile-overdue-link]").TextContent.Trim());
        Assert.Equal("/admin/repairs?filter=overdue", linked.Find("a").GetAttribute("href"));
        Assert.Contains("已升级 2", linked.Markup, StringComparison.Ordinal);

        // No link for a page the role may not open: the figure alone.
        var plain = ctx.Render<KpiTile>(p => p.Add(t => t.Title, "欠费金额").Add(t => t.Value, "1,200.00 元"));
        Assert.Empty(plain.FindAll("a"));
        Assert.Contains("1,200.00 元", plain.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_to_do_list_shows_counts_opens_the_filtered_lists_and_puts_empty_items_last()
    {
        await using var ctx = NewContext();
        var list = ctx.Render<TodoList>(p => p.Add(t => t.Items, new List<TodoItem>
        {
            new("residences", "待审核的住户认证", 0, "/admin/residences"),
            new("repairs-overdue", "超时未办结的报修", 12, "/admin/repairs?filter=overdue"),
            new("repairs-escalated", "升级给我的报修", 3, "/admin/repairs?filter=escalated"),
        }));
        var links = list.FindAll("a");
        Assert.Equal(["/admin/repairs?filter=overdue", "/admin/repairs?filter=escalated", "/admin/residences"], links.Select(a => a.GetAttribute("href")));
        Assert.Equal("12", list.Find("[data-testid=todo-repairs-overdue-count]").TextContent.Trim());
        Assert.Equal("0", list.Find("[data-testid=todo-residences-count]").TextContent.Trim());
        Assert.Contains("超时未办结的报修", list.Find("[data-testid=todo-repairs-overdue]").TextContent, StringComparison.Ordinal);

        var empty = ctx.Render<TodoList>(p => p.Add(t => t.Items, new List<TodoItem>()));
        Assert.Contains("暂无需要您处理的事项", empty.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_weekly_repairs_chart_draws_both_series_per_week()
    {
        await using var ctx = NewContext();
        var weeks = new List<WeekCount> { new(new DateOnly(2026, 11, 2), 5, 3), new(new DateOnly(2026, 11, 9), 8, 6), new(new DateOnly(2026, 11, 16), 2, 4) };
        var chart = ctx.Render<WeeklyRepairsChart>(p => p.Add(c => c.Weeks, weeks));
        Assert.NotEmpty(chart.FindAll("[data-testid=chart-repairs] svg"));
        Assert.Contains("新报修", chart.Markup, StringComparison.Ordinal);
        Assert.Contains("已办结", chart.Markup, StringComparison.Ordinal);
        Assert.Contains("11/9", chart.Markup, StringComparison.Ordinal);

        var none = ctx.Render<WeeklyRepairsChart>(p => p.Add(c => c.Weeks, weeks.Select(w => w with { Opened = 0, Closed = 0 }).ToList()));
        Assert.Empty(none.FindAll("svg"));
        Assert.Contains("期间内没有报修", none.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_collection_chart_shows_months_in_chinese()
    {
        await using var ctx = NewContext();
        var months = new List<MonthCollection> { new("2026-10", 20_000, 15_000, 0.75), new("2026-11", 20_000, 10_000, 0.5) };
        var chart = ctx.Render<CollectionChart>(p => p.Add(c => c.Months, months));
        Assert.NotEmpty(chart.FindAll("svg"));
        Assert.Contains("10月", chart.Markup, StringComparison.Ordinal);
        Assert.Contains("收缴率 %", chart.Markup, StringComparison.Ordinal);
    }
}
