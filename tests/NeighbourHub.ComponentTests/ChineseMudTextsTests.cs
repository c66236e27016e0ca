using System.Globalization;
using System.Reflection;
using System.Resources;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using NeighbourHub.Web.Components;

namespace NeighbourHub.ComponentTests;

/// <summary>MudBlazor's own words on the console are Chinese: every key it ships, and a pager as staff see it.</summary>
public sealed class ChineseMudTextsTests
{
    [Fact]
    public void Every_MudBlazor_text_has_a_Chinese_translation()
    {
        // The English resource MudBlazor ships: every key it may ask the localizer for.
        var assembly = typeof(MudDataGrid<>).Assembly;
        var resources = new ResourceManager("MudBlazor.Resources.LanguageResource", assembly);
        var set = resources.GetResourceSet(CultureInfo.InvariantCulture, createIfNotExists: true, tryParents: true)!;
        var keys = set.Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key).ToList();

        Assert.True(keys.Count > 100, $"MudBlazor's resource names changed: found {keys.Count} keys.");
        var missing = keys.Where(k => !ChineseMudLocalizer.Texts.ContainsKey(k)).Order().ToList();
        Assert.True(missing.Count == 0, "No Chinese for: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task A_data_grid_pager_reads_in_Chinese()
    {
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("zh-CN");
        try
        {
            await using var ctx = new BunitContext();
            ctx.Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
            ctx.Services.AddTransient<MudLocalizer, ChineseMudLocalizer>();
            ctx.JSInterop.Mode = JSRuntimeMode.Loose;

            var grid = ctx.Render<MudDataGrid<int>>(p => p
                .Add(g => g.Items, Enumerable.Range(1, 30).ToList())
                .Add(g => g.Columns, b =>
                {
                    b.OpenComponent<PropertyColumn<int, int>>(0);
                    b.AddAttribute(1, "Property", (System.Linq.Expressions.Expression<Func<int, int>>)(x => x));
                    b.AddAttribute(2, "Title", "数");
                    b.CloseComponent();
                })
                .Add(g => g.PagerContent, b =>
                {
                    b.OpenComponent<MudDataGridPager<int>>(0);
                    b.CloseComponent();
                }));

            Assert.Contains("每页行数", grid.Markup, StringComparison.Ordinal);
            Assert.Contains("共 30 条", grid.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain("Rows per page", grid.Markup, StringComparison.Ordinal);
            Assert.DoesNotContain(" of 30", grid.Markup, StringComparison.Ordinal);
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }
    }
}
