using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

/// <summary>
/// Every console page, as each role sees it on the demo estate (the data a newcomer first sees): the walk starts at
/// the home page and follows every console link once per kind of page, and fails on any English or internal key a
/// person would read — MudBlazor's English, framework messages, native file inputs, raw ids such as <c>resident:3</c>
/// or ledger keys <c>P:1</c> — and on a page that crashes the circuit.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ConsoleWalkTests(BrowserFixture fixture, ConsoleWalkTests.DemoApp demo) : IClassFixture<ConsoleWalkTests.DemoApp>
{
    /// <summary>The embedded default with its demo data, on its own Kestrel port beside the fixture's app.</summary>
    public sealed class DemoApp : IAsyncLifetime
    {
        public NeighbourHubAppFactory App { get; private set; } = null!;
        public Uri BaseAddress { get; private set; } = null!;

        public Task InitializeAsync()
        {
            App = NeighbourHubAppFactory.OnSqlite(wechat: null, new Dictionary<string, string?> { ["Demo:Seed"] = "true", ["Demo:Password"] = DemoPassword });
            App.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            App.StartServer();
            BaseAddress = App.ClientOptions.BaseAddress;
            return Task.CompletedTask;
        }

        public async Task DisposeAsync() => await App.DisposeAsync();
    }

    private const string DemoPassword = "Demo@12345";
    private const int MaxPagesPerRole = 70;

    /// <summary>What a person must never read on a console page.</summary>
    private static readonly (string What, Regex Pattern)[] Forbidden =
    [
        ("MudBlazor pager in English", new Regex(@"Rows per page|\d+-\d+ of \d+", RegexOptions.Compiled)),
        ("framework or validation English", new Regex(@"\bis required\b|\bis invalid\b|\bmust be\b|Not Found|not found|Bad Request|Forbidden|Unauthorized", RegexOptions.Compiled)),
        ("native file input", new Regex(@"Choose File|No file chosen|Browse files", RegexOptions.Compiled)),
        ("English status words", new Regex(@"\bLoading\b|No records|No matching|Select all|\bSubmitted\b|\bPending\b|\bApproved\b|\bInProgress\b", RegexOptions.Compiled)),
        ("internal keys", new Regex(@"\bresident:\d+|\b[PE]:\d+\b|\bsystem\b|\bfirm:\d+", RegexOptions.Compiled)),
        (".NET internals", new Regex(@"System\.[A-Z]|Microsoft\.[A-Z]|Exception|NeighbourHub\.Web|\bnull\b|\bundefined\b|\bNaN\b", RegexOptions.Compiled)),
        ("an English sentence", new Regex(@"\b[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}\b", RegexOptions.Compiled)),
    ];

    [Theory]
    [InlineData("admin")]
    [InlineData("firm")]
    [InlineData("grid")]
    [InlineData("committee")]
    public async Task Every_console_page_reads_in_Chinese_with_no_internal_keys(string account)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = demo.BaseAddress.ToString(), Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var crashes = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && m.Text.Contains("Unhandled exception", StringComparison.Ordinal))
            {
                crashes.Add($"{page.Url}: {m.Text}");
            }
        };

        await page.GotoAsync("/admin/login");
        await BrowserFixture.SubmitSignInAsync(page, account, DemoPassword);
        await page.WaitForURLAsync("**/admin");

        var seenKinds = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(["/admin"]);
        var problems = new List<string>();
        var visited = 0;
        while (queue.Count > 0 && visited < MaxPagesPerRole)
        {
            var path = queue.Dequeue();
            visited++;
            await page.GotoAsync(path);
            await SettleAsync(page);
            var text = await page.Locator("body").InnerTextAsync();
            foreach (var (what, pattern) in Forbidden)
            {
                foreach (Match m in pattern.Matches(text))
                {
                    problems.Add($"{account} {path}: {what}: “{Around(text, m.Index)}”");
                }
            }

            if (await page.Locator("input[type=file]:visible").CountAsync() > 0)
            {
                problems.Add($"{account} {path}: a native file input is visible");
            }

            if (await page.Locator("#blazor-error-ui:visible, #components-reconnect-modal:visible").CountAsync() > 0)
            {
                problems.Add($"{account} {path}: the page broke its connection (error bar shown)");
            }

            foreach (var href in await page.Locator("a[href^='/admin']").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href'))"))
            {
                var link = href.Split('#')[0];
                if (link.StartsWith("/admin/files/", StringComparison.Ordinal) || link.StartsWith("/admin/logout", StringComparison.Ordinal)
                    || link.Contains("print", StringComparison.Ordinal))
                {
                    continue;
                }

                // One visit per kind of page: /admin/votes/3 and /admin/votes/4 are the same page.
                if (seenKinds.Add(Digits().Replace(link.Split('?')[0], "{n}")))
                {
                    queue.Enqueue(link);
                }
            }
        }

        Assert.True(visited >= 8, $"{account}: the walk reached only {visited} pages.");
        problems.AddRange(crashes);
        Assert.True(problems.Count == 0, $"{problems.Count} problems:\n" + string.Join("\n", problems.Distinct().Take(80)));
        await context.CloseAsync();
    }

    /// <summary>Waits for the circuit to render the page and for its data to load (no progress bar left).</summary>
    private static async Task SettleAsync(IPage page)
    {
        await page.Locator(".mud-main-content").WaitForAsync();
        await page.WaitForTimeoutAsync(600);
        for (var i = 0; i < 20 && await page.Locator(".mud-progress-linear:visible, .mud-progress-circular:visible").CountAsync() > 0; i++)
        {
            await page.WaitForTimeoutAsync(250);
        }
    }

    private static string Around(string text, int index) =>
        text.Substring(Math.Max(0, index - 20), Math.Min(60, text.Length - Math.Max(0, index - 20))).ReplaceLineEndings(" ");

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
