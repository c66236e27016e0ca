using System.Net;
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
    }

    public HttpClient Api() => new() { BaseAddress = BaseAddress };

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
