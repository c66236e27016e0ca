using System.Net.Http.Json;
using System.Text.Json;
using NeighbourHub.TestSupport;

namespace NeighbourHub.IntegrationTests;

/// <summary>One app on MariaDB + Redis + the fake WeChat for the whole collection; tables are emptied per test.</summary>
public class AppFixture : IAsyncLifetime
{
    /// <summary>The database this fixture recreates; a variant fixture uses its own so collections never share one.</summary>
    protected virtual string Database => "nh_integration";

    /// <summary>Settings on top of the fake WeChat Pay's (a variant fixture adds its own).</summary>
    protected virtual IDictionary<string, string?> Settings(IDictionary<string, string?> pay) => pay;

    public FakeWeChatServer WeChat { get; private set; } = null!;
    public FakeWeChatPayServer Pay { get; private set; } = null!;
    public NeighbourHubAppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        WeChat = await FakeWeChatServer.StartAsync();
        Pay = await FakeWeChatPayServer.StartAsync();
        App = await NeighbourHubAppFactory.OnMariaDbAsync(Database, WeChat, Settings(Pay.AppSettings));
        _ = App.Server; // start the host now, not inside the first test
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await WeChat.DisposeAsync();
        await Pay.DisposeAsync();
    }
}

/// <summary>The same app with uploads in the database (<c>Files:Store=Database</c>), for the file tests run on both stores.</summary>
public sealed class DatabaseFilesFixture : AppFixture
{
    protected override string Database => "nh_integration_dbfiles";

    protected override IDictionary<string, string?> Settings(IDictionary<string, string?> pay) =>
        new Dictionary<string, string?>(pay) { ["Files:Store"] = "Database" };
}

[CollectionDefinition(Name)]
public sealed class DatabaseFilesCollection : ICollectionFixture<DatabaseFilesFixture>
{
    public const string Name = "app on MariaDB, files in the database";
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app on MariaDB";
}

/// <summary>Base for tests on the shared app: a clean database with <see cref="TestOrg"/> before each test.</summary>
[Collection(AppCollection.Name)]
public abstract class AppTest(AppFixture fixture) : IAsyncLifetime
{
    protected NeighbourHubAppFactory App => fixture.App;
    protected FakeWeChatServer WeChat => fixture.WeChat;
    protected FakeWeChatPayServer Pay => fixture.Pay;
    protected TestOrg Org { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await App.ResetAsync();
        Org = await TestOrg.SeedAsync(App);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected static async Task<JsonElement> Json(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Signs a resident in, files an application for <paramref name="householdId"/> and has community A's admin approve it.</summary>
    protected async Task<(HttpClient Client, long Id)> VerifiedResidentAsync(string code, long householdId)
    {
        var client = await App.ResidentClientAsync(code);
        var residence = await ApplyAsync(client, householdId);
        var admin = await App.AdminClientAsync("adminA");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/residences/{residence}/approve", null)).StatusCode);
        return (client, (await Json(await client.GetAsync("/api/v1/me"))).GetProperty("id").GetInt64());
    }

    /// <summary>Files an application and returns its id.</summary>
    protected static async Task<long> ApplyAsync(HttpClient resident, long householdId, string relation = "owner", string realName = "张三", string? inviteCode = null)
    {
        var response = await resident.PostAsJsonAsync("/api/v1/me/residences", new { householdId, relation, realName, inviteCode });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await Json(response)).GetProperty("id").GetInt64();
    }
}
