using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Components;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Payments;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.IntegrationTests;

/// <summary>Fees through their one door: the console refuses what the API refuses; new bills read back as written (MariaDB).</summary>
public sealed class BillingTests(AppFixture fixture) : AppTest(fixture)
{
    [Fact]
    public async Task A_new_bill_reads_back_the_time_it_was_created() =>
        await BillingProviders.AssertBillsKeepTheirCreationTimeAsync(App, Org.EstateA1);

    /// <summary>
    /// Every fee-item, exemption, end, run and offline-payment input the API refuses, the console's path — the same
    /// service, called with a context scoped exactly as <see cref="ConsoleDb"/> scopes a signed-in admin's — refuses
    /// with the same answer, and neither path writes anything.
    /// </summary>
    [Fact]
    public async Task The_console_refuses_every_fee_input_the_API_refuses()
    {
        var api = await App.AdminClientAsync("adminA");
        await using var console = await ConsoleContextAsync("adminA");
        var fees = App.Services.GetRequiredService<BillingService>();
        FeeItemBody Item(string name) => new(Org.EstateA1, name, "perAreaMonthly", 250, new DateOnly(2026, 1, 1), null, 15);
        var created = await api.PostAsJsonAsync("/api/v1/admin/fee-items", Item("物业费"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var itemId = (await Json(created)).GetProperty("id").GetInt64();

        var items = new (string Why, FeeItemBody Body, HttpStatusCode Status)[]
        {
            ("a name the estate already has", Item("物业费"), HttpStatusCode.Conflict),
            ("the same name with spaces around it", Item(" 物业费 "), HttpStatusCode.Conflict),
            ("no name", Item(" "), HttpStatusCode.BadRequest),
            ("a name over 50 characters", Item(new string('费', 51)), HttpStatusCode.BadRequest),
            ("an unknown kind", Item("电梯费") with { Kind = "yearly" }, HttpStatusCode.BadRequest),
            ("a price over the cap", Item("电梯费") with { UnitPriceFen = FeeItemBody.MaxUnitPriceFen + 1 }, HttpStatusCode.BadRequest),
            ("no price", Item("电梯费") with { UnitPriceFen = 0 }, HttpStatusCode.BadRequest),
            ("due day 0", Item("电梯费") with { DueDay = 0 }, HttpStatusCode.BadRequest),
            ("due day 32", Item("电梯费") with { DueDay = 32 }, HttpStatusCode.BadRequest),
            ("no start", Item("电梯费") with { EffectiveFrom = null }, HttpStatusCode.BadRequest),
            ("an end before the start", Item("电梯费") with { EffectiveTo = new DateOnly(2025, 12, 31) }, HttpStatusCode.BadRequest),
            ("an estate of another community", Item("电梯费") with { EstateId = Org.EstateB1 }, HttpStatusCode.NotFound),
        };
        foreach (var (why, body, status) in items)
        {
            Assert.True(status == (await api.PostAsJsonAsync("/api/v1/admin/fee-items", body)).StatusCode, $"API: {why}");
            await AssertConsoleRefusesAsync(status, why, () => fees.CreateFeeItemAsync(console, body, default));
        }

        // adminA sees estate A2's households too: it is the item's estate, not the scope, that refuses them.
        var exemptions = new (string Why, long ItemId, ExemptionBody Body, HttpStatusCode Status)[]
        {
            ("a household of another estate of the community", itemId, new ExemptionBody(Org.HouseholdsA2[0], null), HttpStatusCode.NotFound),
            ("a household of another community", itemId, new ExemptionBody(Org.HouseholdsB1[0], null), HttpStatusCode.NotFound),
            ("no household", itemId, new ExemptionBody(0, null), HttpStatusCode.BadRequest),
            ("a reason over 200 characters", itemId, new ExemptionBody(Org.HouseholdsA1[0], new string('因', 201)), HttpStatusCode.BadRequest),
            ("a fee item that does not exist", itemId + 1000, new ExemptionBody(Org.HouseholdsA1[0], null), HttpStatusCode.NotFound),
        };
        foreach (var (why, id, body, status) in exemptions)
        {
            Assert.True(status == (await api.PostAsJsonAsync($"/api/v1/admin/fee-items/{id}/exemptions", body)).StatusCode, $"API: {why}");
            await AssertConsoleRefusesAsync(status, why, () => fees.AddExemptionAsync(console, id, body, default));
        }

        var end = new EndBody(new DateOnly(2025, 12, 31));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsJsonAsync($"/api/v1/admin/fee-items/{itemId}/end", end)).StatusCode);
        await AssertConsoleRefusesAsync(HttpStatusCode.BadRequest, "an end before the start", () => fees.EndFeeItemAsync(console, itemId, end, default));

        var runner = App.Services.GetRequiredService<BillingRunner>();
        foreach (var (why, body, status) in new[]
                 {
                     ("a month 13", new RunBody(Org.EstateA1, "2026-13"), HttpStatusCode.BadRequest),
                     ("no estate", new RunBody(null, "2026-11"), HttpStatusCode.BadRequest),
                     ("an estate of another community", new RunBody(Org.EstateB1, "2026-11"), HttpStatusCode.NotFound),
                 })
        {
            Assert.True(status == (await api.PostAsJsonAsync("/api/v1/admin/billing/runs", body)).StatusCode, $"API: {why}");
            await AssertConsoleRefusesAsync(status, why, () => runner.StartAsync(console, body, default));
        }

        // Nothing was written by either path: one item, no exemption, no end, no run.
        await using (var db = App.SystemDb())
        {
            var only = Assert.Single(await db.FeeItems.ToListAsync());
            Assert.Null(only.EffectiveTo);
            Assert.Empty(await db.FeeExemptions.ToListAsync());
            Assert.Empty(await db.BillingRuns.ToListAsync());
        }

        // Offline money goes through Payments' door with the API's checks too.
        await api.PostAsJsonAsync("/api/v1/admin/billing/runs", new RunBody(Org.EstateA1, "2026-11"));
        var billId = (await Json(await api.GetAsync($"/api/v1/admin/bills?estateId={Org.EstateA1}"))).GetProperty("items")[0].GetProperty("id").GetInt64();
        var staff = App.Services.GetRequiredService<StaffPayments>();
        foreach (var (why, channel, reference) in new[] { ("no reference", "cash", " "), ("a reference over 64 characters", "cash", new string('9', 65)), ("WeChat", "wechat", "x") })
        {
            Assert.True(HttpStatusCode.BadRequest == (await api.PostAsJsonAsync($"/api/v1/admin/bills/{billId}/offline-payment", new { channel, reference })).StatusCode, $"API: {why}");
            var asEnum = channel == "cash" ? PaymentChannel.Cash : PaymentChannel.WeChat;
            await AssertConsoleRefusesAsync(HttpStatusCode.BadRequest, why, () => staff.RecordOfflineAsync(console, billId, asEnum, reference, default));
        }

        await using (var db = App.SystemDb())
        {
            Assert.Empty(await db.Payments.ToListAsync());
        }
    }

    /// <summary>The answer the API would give for what the console's call threw (ProblemDetailsExceptionHandler's mapping).</summary>
    private static async Task AssertConsoleRefusesAsync(HttpStatusCode expected, string why, Func<Task> call)
    {
        var e = await Record.ExceptionAsync(call);
        var status = e switch
        {
            RequestValidationException or DomainValidationException => HttpStatusCode.BadRequest,
            NotFoundException => HttpStatusCode.NotFound,
            ConflictException => HttpStatusCode.Conflict,
            null => HttpStatusCode.OK,
            _ => HttpStatusCode.InternalServerError,
        };
        Assert.True(expected == status, $"console: {why} answered {status} ({e?.GetType().Name}: {e?.Message})");
    }

    /// <summary>A context exactly as the console gets one: <see cref="ConsoleDb"/> for a signed-in admin.</summary>
    private async Task<NeighbourHubDbContext> ConsoleContextAsync(string userName)
    {
        long id;
        await using (var db = App.SystemDb())
        {
            id = await db.Users.Where(u => u.UserName == userName).Select(u => u.Id).SingleAsync();
        }

        var user = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(AuthClaims.Subject, id.ToString(CultureInfo.InvariantCulture)), new Claim(AuthClaims.Kind, AuthClaims.AdminKind)], "console"));
        var console = new ConsoleDb(App.Services.GetRequiredService<IDbContextFactory<NeighbourHubDbContext>>(), new SignedIn(user),
            App.Services.GetRequiredService<AccessScopeResolver>());
        return await console.CreateAsync();
    }

    private sealed class SignedIn(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}

/// <summary>The same bill read back on SQLite, whose context stores DateTimeOffset as a number through a converter.</summary>
public sealed class BillingSqliteTests
{
    [Fact]
    public async Task On_SQLite_a_new_bill_reads_back_the_time_it_was_created()
    {
        await using var app = NeighbourHubAppFactory.OnSqlite(wechat: null);
        long estateId;
        await using (var db = app.SystemDb())
        {
            // Just enough organisation for a bill run: the time goes into starting the app, not into seeding.
            var street = new Street { Name = "测试街道" };
            db.Streets.Add(street);
            await db.SaveChangesAsync();
            var community = new Community { StreetId = street.Id, Name = "甲社区" };
            db.Communities.Add(community);
            await db.SaveChangesAsync();
            var estate = new Estate { CommunityId = community.Id, Name = "甲一小区", Address = "甲路1号" };
            db.Estates.Add(estate);
            await db.SaveChangesAsync();
            var building = new Building { EstateId = estate.Id, Name = "1栋" };
            db.Buildings.Add(building);
            await db.SaveChangesAsync();
            var unit = new Unit { EstateId = estate.Id, BuildingId = building.Id, Name = "1单元" };
            db.Units.Add(unit);
            await db.SaveChangesAsync();
            db.Households.AddRange(Enumerable.Range(1, 4).Select(n => new Household { EstateId = estate.Id, BuildingId = building.Id, UnitId = unit.Id, Room = $"10{n}", AreaM2 = 80 }));
            await db.SaveChangesAsync();
            estateId = estate.Id;
        }

        await BillingProviders.AssertBillsKeepTheirCreationTimeAsync(app, estateId);
    }
}

internal static class BillingProviders
{
    /// <summary>Bills a fee item for the estate's four households through the services and reads every new bill's CreatedAt back through EF.</summary>
    public static async Task AssertBillsKeepTheirCreationTimeAsync(NeighbourHubAppFactory app, long estateId)
    {
        await using var db = app.SystemDb();
        await app.Services.GetRequiredService<BillingService>().CreateFeeItemAsync(db,
            new FeeItemBody(estateId, "物业费", "fixedMonthly", 1000, new DateOnly(2026, 1, 1), null, null), default);
        var runner = app.Services.GetRequiredService<BillingRunner>();
        var before = DateTimeOffset.UtcNow;
        var run = await runner.StartAsync(db, new RunBody(estateId, "2026-11"), default);
        Assert.Equal(4, (await runner.RunAsync(run.Id, default)).BillsCreated);
        var after = DateTimeOffset.UtcNow;

        var createdAt = await db.Bills.Select(b => b.CreatedAt).ToListAsync();
        Assert.Equal(4, createdAt.Count);
        // Stored to the microsecond (MariaDB's datetime(6)), so compare from `before` cut to the microsecond.
        Assert.All(createdAt, at => Assert.InRange(at, before.AddTicks(-(before.Ticks % 10)), after));
        // Compared in SQL too, which on SQLite works only when the value was stored converted.
        Assert.Equal(4, await db.Bills.CountAsync(b => b.CreatedAt >= before.AddMinutes(-1)));
    }
}
