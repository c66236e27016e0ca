using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using NeighbourHub.TestSupport;

namespace NeighbourHub.E2ETests;

/// <summary>
/// The app on a real Kestrel port (MariaDB + Redis + WeChat sandbox) and Debian's Chromium driven by
/// Playwright. Nothing is downloaded: Playwright's bundled driver launches /usr/bin/chromium.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public NeighbourHubAppFactory App { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public TestOrg Org { get; private set; } = null!;
    private IPlaywright _playwright = null!;
    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = await NeighbourHubAppFactory.OnMariaDbAsync("nh_e2e", wechat: null);
        App.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        BaseAddress = App.ClientOptions.BaseAddress;
        Org = await TestOrg.SeedAsync(App);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = TestServers.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });

        // The first sign-in pays for the app's cold start (the login page, the home page's queries, JIT): once here,
        // through a browser, so no test's own timeouts have to cover it.
        var warm = await SignInAsync("adminA", TimeSpan.FromMinutes(2));
        await warm.Context.CloseAsync();
    }

    public HttpClient Api() => new() { BaseAddress = BaseAddress };

    /// <summary>An API client carrying an admin token from the real login endpoint.</summary>
    public async Task<HttpClient> AdminApiAsync(string userName)
    {
        var client = Api();
        var login = await client.PostAsJsonAsync("/api/v1/admin/auth/login", new { userName, password = TestOrg.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A resident's API client signed in through the WeChat sandbox with <paramref name="code"/>, and who they are (id, nickname).</summary>
    public async Task<(HttpClient Client, long Id, string Nickname)> ResidentApiAsync(string code)
    {
        var client = Api();
        var login = await client.PostAsJsonAsync("/api/v1/auth/wechat/login", new { code });
        login.EnsureSuccessStatusCode();
        var answer = await login.Content.ReadFromJsonAsync<JsonElement>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", answer.GetProperty("accessToken").GetString());
        var resident = answer.GetProperty("resident");
        return (client, resident.GetProperty("id").GetInt64(), resident.GetProperty("nickname").GetString()!);
    }

    /// <summary>The resident applies as owner of <paramref name="householdId"/> under <paramref name="realName"/>, and adminA approves it.</summary>
    public async Task VerifyResidentAsync(HttpClient resident, long householdId, string realName)
    {
        var applied = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId, relation = "owner", realName });
        Assert.Equal(HttpStatusCode.Created, applied.StatusCode);
        var residence = (await applied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var admin = await AdminApiAsync("adminA");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
    }

    /// <summary>A fresh browser context on the console's sign-in page (where an unauthenticated visit lands).</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), Locale = "zh-CN" });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        return page;
    }

    /// <summary>Fills and submits the sign-in form on <paramref name="page"/> (which must show it).</summary>
    public static async Task SubmitSignInAsync(IPage page, string userName, string password = TestOrg.Password)
    {
        await page.Locator("input[name=userName]").FillAsync(userName);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.Locator("#sign-in").ClickAsync();
    }

    /// <summary>A page signed in to the console as <paramref name="userName"/>, on the overview.</summary>
    public async Task<IPage> SignInAsync(string userName, TimeSpan? timeout = null)
    {
        var page = await NewPageAsync();
        var wait = (float)(timeout ?? TimeSpan.FromSeconds(20)).TotalMilliseconds;
        await page.GotoAsync("/admin/login", new PageGotoOptions { Timeout = wait });
        await SubmitSignInAsync(page, userName);
        await page.WaitForURLAsync("**/admin", new PageWaitForURLOptions { Timeout = wait });
        return page;
    }

    /// <summary>Where <see cref="ScreenshotAsync"/> saves, from NH_E2E_SCREENSHOTS; null (the default) takes none.</summary>
    public string? ScreenshotDir { get; } = Environment.GetEnvironmentVariable("NH_E2E_SCREENSHOTS") is { Length: > 0 } d ? d : null;

    /// <summary>When NH_E2E_SCREENSHOTS names a folder: full-page shots of the page at 1440 px and at 390 px (a phone), for a person to look at.</summary>
    public async Task ScreenshotAsync(IPage page, string name)
    {
        if (ScreenshotDir is not { } dir)
        {
            return;
        }

        Directory.CreateDirectory(dir);
        var size = page.ViewportSize;
        foreach (var width in new[] { 1440, 390 })
        {
            await page.SetViewportSizeAsync(width, width == 390 ? 844 : 900);
            await page.WaitForTimeoutAsync(400);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, $"{name}-{width}.png"), FullPage = true });
        }

        if (size is not null)
        {
            await page.SetViewportSizeAsync(size.Width, size.Height);
        }
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await App.DisposeAsync();
    }
}

/// <summary>One app, database and browser for every browser test; the classes run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
