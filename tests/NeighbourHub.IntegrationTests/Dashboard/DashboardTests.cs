using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Repairs;

namespace NeighbourHub.IntegrationTests;

/// <summary>
/// GET /api/v1/admin/dashboard over seeded repairs and bills: the figures per role and scope, 404 for an estate, grid or
/// firm outside the scope, and the sections a role may not open left out (not zero).
/// </summary>
public sealed class DashboardTests(AppFixture fixture) : AppTest(fixture)
{
    private DateTimeOffset _now;

    /// <summary>
    /// A1 (served by firm F): r1 open, overdue, escalated to adminA, not assigned; r2 assigned to firmF; r3 resolved on time
    /// and rated 5; r4 resolved late and rated 3; r5 cancelled; r6 resolved 200 days ago (outside the period).
    /// A2 (grid GA2): r7 open on a flat of the grid. B1: r8 open. Bills of A1: this month 2 × 100 元, one paid; last month
    /// one unpaid past due (100 元).
    /// </summary>
    private async Task SeedAsync()
    {
        _now = DateTimeOffset.UtcNow;
        await using var db = App.SystemDb();
        var users = await db.Users.ToDictionaryAsync(u => u.UserName!, u => u.Id);
        var category = await db.RepairCategories.ToDictionaryAsync(c => (c.EstateId, c.Name), c => c.Id);
        Repair New(long estate, double createdDaysAgo, double deadlineDays, long? household = null) => new()
        {
            EstateId = estate,
            HouseholdId = household,
            CategoryId = category[(estate, "水电")],
            Description = "看板测试",
            CreatedAt = _now.AddDays(-createdDaysAgo),
            UpdatedAt = _now,
            DeadlineAt = _now.AddDays(-createdDaysAgo + deadlineDays),
        };

        var r1 = New(Org.EstateA1, 2, 1);
        r1.EscalationLevel = 1;
        var r2 = New(Org.EstateA1, 3, 4);
        r2.Assign(users["firmF"]);
        var r3 = New(Org.EstateA1, 5, 1);
        r3.Assign(users["firmF"]);
        r3.Start(users["firmF"]);
        r3.Resolve("好了", _now.AddDays(-4.5));
        r3.Rate(5, null, _now.AddDays(-4));
        var r4 = New(Org.EstateA1, 6, 1);
        r4.Assign(users["firmF"]);
        r4.Start(users["firmF"]);
        r4.Resolve("好了", _now.AddDays(-3));
        r4.Rate(3, null, _now.AddDays(-2));
        var r5 = New(Org.EstateA1, 1, 1);
        r5.Cancel();
        var r6 = New(Org.EstateA1, 200, 1);
        r6.Assign(users["firmF"]);
        r6.Start(users["firmF"]);
        r6.Resolve("好了", _now.AddDays(-199));
        var r7 = New(Org.EstateA2, 1, 2, Org.HouseholdsA2[0]);
        var r8 = New(Org.EstateB1, 1, 2);
        db.Repairs.AddRange(r1, r2, r3, r4, r5, r6, r7, r8);
        await db.SaveChangesAsync();
        // Written here straight to the table, not through RepairService: counted into the day figures as the backfill does.
        await RepairDayFigures.RebuildAsync(db, default);
        db.RepairEscalations.Add(new RepairEscalation { RepairId = r1.Id, Level = 1, AdminUserId = users["adminA"], At = _now });

        var fee = new FeeItem { EstateId = Org.EstateA1, Name = "物业服务费", Kind = FeeKind.FixedMonthly, UnitPriceFen = 10_000, EffectiveFrom = new DateOnly(2020, 1, 1) };
        db.FeeItems.Add(fee);
        await db.SaveChangesAsync();
        var today = DateOnly.FromDateTime(_now.ToOffset(TimeSpan.FromHours(8)).DateTime);
        var period = BillingPeriod.Of(today);
        var last = BillingPeriod.Of(today.AddMonths(-1));
        Bill NewBill(long household, BillingPeriod p, DateOnly due, BillStatus status) => new()
        {
            EstateId = Org.EstateA1,
            HouseholdId = household,
            FeeItemId = fee.Id,
            Period = p.ToString(),
            FeeItemName = fee.Name,
            AmountFen = 10_000,
            DueDate = due,
            Status = status,
            CreatedAt = _now,
            PaidAt = status == BillStatus.Paid ? _now : null,
        };
        db.Bills.AddRange(
            NewBill(Org.HouseholdsA1[0], period, today.AddDays(10), BillStatus.Paid),
            NewBill(Org.HouseholdsA1[1], period, today.AddDays(10), BillStatus.Unpaid),
            NewBill(Org.HouseholdsA1[1], last, today.AddDays(-5), BillStatus.Unpaid));
        await db.SaveChangesAsync();
    }

    private static async Task<JsonElement> DashboardAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/admin/dashboard{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Dictionary<string, JsonElement> Todo(JsonElement view) =>
        view.GetProperty("todo").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!);

    [Fact]
    public async Task A_community_admin_sees_the_figures_of_its_estates_and_a_to_do_list_that_opens_filtered_lists()
    {
        await SeedAsync();
        var view = await DashboardAsync(await App.AdminClientAsync("adminA"));

        var repairs = view.GetProperty("repairs");
        Assert.Equal(3, repairs.GetProperty("open").GetInt32()); // r1, r2, r7 — not B1's r8
        Assert.Equal(1, repairs.GetProperty("overdue").GetInt32());
        Assert.Equal(1, repairs.GetProperty("escalated").GetInt32());
        Assert.Equal(2, repairs.GetProperty("unassigned").GetInt32());
        Assert.Equal(5, repairs.GetProperty("reported").GetInt32()); // r1–r4, r7; cancelled and old ones left out
        Assert.Equal(2, repairs.GetProperty("handled").GetInt32());
        Assert.Equal(0.4, repairs.GetProperty("handlingRate").GetDouble());
        Assert.Equal(0.5, repairs.GetProperty("onTimeRate").GetDouble());
        Assert.Equal(4.0, repairs.GetProperty("satisfaction").GetDouble());
        var weeks = repairs.GetProperty("weeks").EnumerateArray().ToList();
        Assert.Equal(12, weeks.Count);
        Assert.Equal(5, weeks.Sum(w => w.GetProperty("opened").GetInt32()));
        Assert.Equal(2, weeks.Sum(w => w.GetProperty("closed").GetInt32()));

        var fees = view.GetProperty("fees");
        Assert.Equal(0.5, fees.GetProperty("collectionRate").GetDouble());
        Assert.Equal(10_000, fees.GetProperty("arrearsFen").GetInt64());
        Assert.Equal(1, fees.GetProperty("arrearsHouseholds").GetInt32());
        var months = fees.GetProperty("months").EnumerateArray().ToList();
        Assert.Equal(6, months.Count);
        Assert.Equal(0.0, months[^2].GetProperty("rate").GetDouble());
        Assert.True(view.TryGetProperty("timeBank", out _)); // the community office's own

        var todo = Todo(view);
        Assert.Equal(1, todo["repairs-escalated"].GetProperty("count").GetInt32());
        Assert.Equal("/admin/repairs?filter=escalated", todo["repairs-escalated"].GetProperty("href").GetString());
        Assert.Equal(1, todo["repairs-overdue"].GetProperty("count").GetInt32());
        Assert.Equal("/admin/repairs?filter=overdue", todo["repairs-overdue"].GetProperty("href").GetString());
        Assert.Equal(2, todo["repairs-unassigned"].GetProperty("count").GetInt32());
        Assert.Equal(1, todo["bills-overdue"].GetProperty("count").GetInt32());
        Assert.Equal("/admin/billing/bills?status=overdue", todo["bills-overdue"].GetProperty("href").GetString());
        Assert.Contains("residences", todo.Keys);

        // One estate, one grid: the same figures narrowed.
        var a1 = await DashboardAsync(await App.AdminClientAsync("adminA"), $"?estateId={Org.EstateA1}");
        Assert.Equal(2, a1.GetProperty("repairs").GetProperty("open").GetInt32());
        Assert.Equal(4, a1.GetProperty("repairs").GetProperty("reported").GetInt32());
        var grid = await DashboardAsync(await App.AdminClientAsync("adminA"), $"?gridId={Org.GridA2}");
        Assert.Equal(1, grid.GetProperty("repairs").GetProperty("open").GetInt32());
        Assert.Equal(1, grid.GetProperty("scope").GetProperty("estates").GetInt32());
        Assert.Equal(JsonValueKind.Null, grid.GetProperty("fees").GetProperty("collectionRate").ValueKind); // no bills in the grid

        // A longer period reaches r6 (resolved 199 days ago).
        var year = await DashboardAsync(await App.AdminClientAsync("adminA"), $"?from={Uri.EscapeDataString(_now.AddDays(-300).ToString("O"))}");
        Assert.Equal(6, year.GetProperty("repairs").GetProperty("reported").GetInt32());
        Assert.Equal(3, year.GetProperty("repairs").GetProperty("handled").GetInt32());
    }

    [Fact]
    public async Task Each_role_sees_its_scope_and_only_the_sections_it_may_open()
    {
        await SeedAsync();
        var platform = await DashboardAsync(await App.AdminClientAsync("platform"));
        Assert.Equal(4, platform.GetProperty("repairs").GetProperty("open").GetInt32());
        Assert.True(platform.TryGetProperty("fees", out _));
        Assert.True(platform.TryGetProperty("timeBank", out _));

        var firm = await DashboardAsync(await App.AdminClientAsync("firmF"));
        Assert.Equal(2, firm.GetProperty("repairs").GetProperty("open").GetInt32());
        Assert.True(firm.TryGetProperty("fees", out _));
        Assert.False(firm.TryGetProperty("timeBank", out _)); // ADR 0004
        Assert.Equal(1, Todo(firm)["repairs-mine"].GetProperty("count").GetInt32()); // r2 in hand (r3, r4 resolved)

        var grid = await DashboardAsync(await App.AdminClientAsync("gridA2"));
        Assert.Equal(1, grid.GetProperty("repairs").GetProperty("open").GetInt32());
        Assert.False(grid.TryGetProperty("fees", out _));
        Assert.False(grid.TryGetProperty("timeBank", out _));

        var committee = await DashboardAsync(await App.AdminClientAsync("committeeA1"));
        Assert.Equal(2, committee.GetProperty("repairs").GetProperty("open").GetInt32());
        Assert.False(committee.TryGetProperty("fees", out _));
        Assert.False(committee.TryGetProperty("timeBank", out _));
        var committeeTodo = Todo(committee);
        // Never a link the committee cannot open: no residence queue, no bills.
        Assert.DoesNotContain("residences", committeeTodo.Keys);
        Assert.DoesNotContain("bills-overdue", committeeTodo.Keys);
        Assert.Equal(0, committeeTodo[$"fund-approve-{Org.EstateA1}"].GetProperty("count").GetInt32());

        // The trustee proposes an expense: the committee has it to approve, the fund counts it open.
        var firmClient = await App.AdminClientAsync("firmF");
        using var propose = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/estates/{Org.EstateA1}/fund/expenses")
        {
            Content = JsonContent.Create(new { amountFen = 50_000, payee = "某保洁公司", memo = "楼道保洁" }),
        };
        propose.Headers.Add("Idempotency-Key", "dash-exp-1");
        Assert.Equal(HttpStatusCode.Created, (await firmClient.SendAsync(propose)).StatusCode);
        committee = await DashboardAsync(await App.AdminClientAsync("committeeA1"));
        Assert.Equal(1, Todo(committee)[$"fund-approve-{Org.EstateA1}"].GetProperty("count").GetInt32());
        Assert.Equal($"/admin/fund/expenses?estate={Org.EstateA1}", Todo(committee)[$"fund-approve-{Org.EstateA1}"].GetProperty("href").GetString());
        Assert.Equal(1, committee.GetProperty("fund").GetProperty("openProposals").GetInt32());
        // The proposer has nothing to approve (and is no committee member).
        Assert.DoesNotContain(Todo(await DashboardAsync(firmClient)).Keys, k => k.StartsWith("fund-approve", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_estate_grid_or_firm_outside_the_scope_is_not_found_and_bad_periods_are_refused()
    {
        await SeedAsync();
        var adminB = await App.AdminClientAsync("adminB");
        foreach (var query in new[] { $"?estateId={Org.EstateA1}", $"?gridId={Org.GridA2}", $"?firmId={Org.FirmF}", "?estateId=987654321" })
        {
            var response = await adminB.GetAsync($"/api/v1/admin/dashboard{query}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var committee = await App.AdminClientAsync("committeeA1");
        Assert.Equal(HttpStatusCode.NotFound, (await committee.GetAsync($"/api/v1/admin/dashboard?estateId={Org.EstateA2}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await committee.GetAsync($"/api/v1/admin/dashboard?firmId={Org.FirmF}")).StatusCode);

        var bad = await adminB.GetAsync("/api/v1/admin/dashboard?from=2026-06-01T00:00:00Z&to=2026-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("统计区间", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await (await App.ResidentClientAsync("wx-dash")).GetAsync("/api/v1/admin/dashboard")).StatusCode);
    }

    [Theory]
    [InlineData("CommitteeMember", "/admin/fund/expenses?estate=1", true)]
    [InlineData("CommitteeMember", "/admin/repairs?filter=overdue", true)]
    [InlineData("CommitteeMember", "/admin/residences", false)]
    [InlineData("CommitteeMember", "/admin/billing/bills?status=overdue", false)]
    [InlineData("CommitteeMember", "/admin/timebank", false)]
    [InlineData("FirmStaff", "/admin/billing/collection", true)]
    [InlineData("FirmStaff", "/admin/votes/new?estateId=1", true)]
    [InlineData("CommunityAdmin", "/admin/timebank", true)]
    [InlineData("CommunityAdmin", "/admin/accounts", false)]
    [InlineData("PlatformAdmin", "/admin/accounts", true)]
    [InlineData("PlatformAdmin", "/admin/no-such-page", false)]
    public async Task Links_are_judged_by_the_policies_of_the_page_they_open(string role, string href, bool opens)
    {
        using var scope = App.Services.CreateScope();
        var links = scope.ServiceProvider.GetRequiredService<Web.Features.Dashboard.ConsoleLinks>();
        var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
        [
            new(Web.Features.Identity.AuthClaims.Subject, "1"),
            new(Web.Features.Identity.AuthClaims.Kind, Web.Features.Identity.AuthClaims.AdminKind),
            new(Web.Features.Identity.AuthClaims.Role, role),
        ], "test"));
        Assert.Equal(opens, await links.MayOpenAsync(user, href));
        Assert.Equal(opens, (await links.ForAsync(user))(href));
    }
}
