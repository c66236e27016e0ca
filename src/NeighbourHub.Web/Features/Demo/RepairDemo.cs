using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>
/// The demo's repairs, each lived through the real rules on a clock set back to its day. Forty over the last seven
/// weeks are done with (closed with stars, some late, one reopened, a few awaiting stars, a few cancelled), so the KPI
/// page has something true to show; a dozen are open now the way a real board looks on a weekday: most reported in the
/// last hours and within their deadline, one due soon, two overdue (the escalation job raises one to the grid worker,
/// the other — overdue for longer than it was allowed — to the community), and three taken down by staff (a phone call,
/// the counter, a grid patrol). Every description fits its category and place: 垃圾投放点满溢 is 环境卫生 at a public spot.
/// </summary>
public sealed class RepairDemo(IServiceProvider services)
{
    /// <summary>What is reported under each default category, and where; "{b}" is a building number.</summary>
    private static readonly Dictionary<string, (string Description, string Location)[]> Troubles = new()
    {
        ["水电"] = [("卫生间水管接口漏水", "卫生间"), ("厨房下水道堵塞", "厨房"), ("客厅插座没电", "客厅"), ("热水器进水阀滴水", "卫生间")],
        ["门窗"] = [("卧室窗户关不严，漏风", "主卧"), ("入户门锁芯卡顿", "入户门"), ("阳台推拉门脱轨", "阳台")],
        ["公共照明"] = [("楼道声控灯不亮", "{b}栋2单元楼道"), ("地下车库照明灯闪烁", "地下车库B区"), ("东门路灯不亮", "小区东门")],
        ["电梯"] = [("电梯运行时有异响", "{b}栋1单元电梯"), ("电梯楼层按钮失灵", "{b}栋2单元电梯")],
        ["环境卫生"] = [("垃圾投放点满溢", "{b}栋旁垃圾投放点"), ("消防通道堆放杂物", "{b}栋消防通道"), ("绿化带积水发臭", "中心花园")],
        ["其他"] = [("空调外机支架松动", "阳台外墙"), ("家门口墙面渗水起皮", "入户走廊")],
    };

    private enum Stage { Submitted, Assigned, InProgress }

    /// <param name="reporters">Residents with an approved home in the estate, who report from the mini-program.</param>
    /// <param name="otherFlats">Flats whose callers staff take down by phone or at the counter (in other buildings).</param>
    public async Task SeedAsync(NeighbourHubDbContext db, Estate estate, IReadOnlyList<(Resident Who, Household Home)> reporters,
        IReadOnlyList<Household> otherFlats, DateTimeOffset now, CancellationToken ct)
    {
        var demoClock = new DemoClock(now);
        var repairs = new RepairService(demoClock);
        var categories = await db.RepairCategories.Where(c => c.EstateId == estate.Id).OrderBy(c => c.Id).ToListAsync(ct);
        var byName = categories.ToDictionary(c => c.Name);
        var staff = await repairs.StaffForAsync(db, estate.Id, ct);
        var accounts = await db.Users.AsNoTracking().Select(u => new { u.Id, u.UserName }).ToDictionaryAsync(u => u.Id, u => u.UserName ?? "", ct);
        var system = db.Scope;
        var resolver = services.GetRequiredService<AccessScopeResolver>();
        var random = new Random(311);
        var firm = staff.FirstOrDefault(s => s.Role == AdminRole.FirmStaff) ?? staff[0];
        var grid = staff.FirstOrDefault(s => s.Role == AdminRole.GridWorker) ?? firm;

        async Task AsResidentAsync(Resident who)
        {
            db.Scope = system; // the resolver reads residences, which a resident scope would narrow to its own
            db.Scope = CurrentScope.For(await resolver.ForResidentAsync(db, who.Id, ct));
        }

        void AsStaff(StaffMember member) =>
            db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, true, [estate.Id], [estate.CommunityId], AdminUserId: member.Id,
                ActorName: accounts.GetValueOrDefault(member.Id, member.Name), Roles: [member.Role]));

        (RepairCategory Category, string Description, string Location) Pick(string category, int n)
        {
            var list = Troubles[category];
            var (description, location) = list[n % list.Length];
            return (byName[category], description, location.Replace("{b}", (n % 4 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        }

        async Task<Repair> ReportAsync(int n, string category, DateTimeOffset at)
        {
            var (who, home) = reporters[n % reporters.Count];
            var (c, description, location) = Pick(category, n);
            demoClock.Now = at;
            await AsResidentAsync(who);
            return await repairs.SubmitAsync(db, who.Id, estate.Id, c.IsPublicArea ? null : home.Id, c.Id, description, location, null, ct);
        }

        // 1. History: forty reports over seven weeks, every one finished with — most closed with stars.
        var order = categories.Select(c => c.Name).ToArray();
        for (var i = 0; i < 40; i++)
        {
            var (who, _) = reporters[i % reporters.Count];
            var category = byName[order[i % order.Length]];
            var r = await ReportAsync(i, category.Name, now.AddHours(-(41 - i) * 26 - random.Next(0, 6)));
            var assignee = staff[i % staff.Count];
            demoClock.Now += TimeSpan.FromHours(1 + random.Next(0, 3));
            var fate = i % 10;
            if (fate == 8)
            {
                await repairs.CancelAsync(db, r.Id, who.Id, ct); // the resident fixed it themselves
                continue;
            }

            AsStaff(assignee);
            await repairs.AssignAsync(db, r.Id, assignee.Id, ct);
            demoClock.Now += TimeSpan.FromHours(random.Next(1, 4));
            await repairs.StartAsync(db, r.Id, ct);
            // Most are fixed in time; every fourth takes longer than its category allows.
            demoClock.Now += TimeSpan.FromHours(i % 4 == 3 ? category.DeadlineHours + 6 : Math.Max(1, category.DeadlineHours / 3));
            await repairs.ResolveAsync(db, r.Id, "已上门处理，恢复正常", null, ct);
            if (fate == 7 && i >= 30)
            {
                continue; // resolved in the last days, waiting for the resident's stars
            }

            await AsResidentAsync(who);
            demoClock.Now += TimeSpan.FromHours(5);
            if (fate == 9)
            {
                await repairs.ReopenAsync(db, r.Id, who.Id, "过了两天又坏了", ct);
                AsStaff(assignee);
                demoClock.Now += TimeSpan.FromHours(2);
                await repairs.StartAsync(db, r.Id, ct);
                demoClock.Now += TimeSpan.FromHours(4);
                await repairs.ResolveAsync(db, r.Id, "更换配件后复查正常", null, ct);
                await AsResidentAsync(who);
                demoClock.Now += TimeSpan.FromHours(3);
            }

            await repairs.RateAsync(db, r.Id, who.Id, 3 + random.Next(0, 3), i % 3 == 0 ? "师傅很耐心" : null, ct);
        }

        // 2. Open now: reported hours ago and within their deadline, except one due soon and two overdue.
        (string Category, double AgeHours, Stage Stage)[] open =
        [
            ("水电", 2, Stage.Submitted),
            ("环境卫生", 1.5, Stage.Submitted),
            ("门窗", 20, Stage.Assigned),
            ("公共照明", 9, Stage.InProgress),
            ("电梯", 1, Stage.Assigned),
            ("其他", 30, Stage.InProgress),
            ("水电", 21, Stage.InProgress),    // due within the next three hours
            ("公共照明", 3, Stage.Submitted),
            ("水电", 30, Stage.Assigned),      // overdue by six hours: the escalation job raises it to the grid worker
            ("环境卫生", 52, Stage.InProgress), // overdue for longer than it was allowed: raised to the community
        ];
        for (var i = 0; i < open.Length; i++)
        {
            var (category, age, stage) = open[i];
            var r = await ReportAsync(40 + i, category, now.AddHours(-age));
            if (stage == Stage.Submitted)
            {
                continue;
            }

            var assignee = byName[category].IsPublicArea ? firm : staff[i % staff.Count];
            AsStaff(assignee);
            demoClock.Now += TimeSpan.FromMinutes(Math.Min(age * 60 / 3, 90));
            await repairs.AssignAsync(db, r.Id, assignee.Id, ct);
            if (stage == Stage.InProgress)
            {
                demoClock.Now += TimeSpan.FromMinutes(Math.Min(age * 60 / 3, 120));
                await repairs.StartAsync(db, r.Id, ct);
            }
        }

        // 3. Taken down by staff for residents without the mini-program: a phone call and a counter visit to the firm, a grid patrol.
        AsStaff(firm);
        demoClock.Now = now.AddHours(-4);
        var call = await repairs.SubmitForFlatAsync(db, new StaffReport(estate.Id, otherFlats[^1].Id, byName["水电"].Id, "卫生间马桶水箱一直流水", "卫生间",
            "刘桂兰", "13607721234", "phone", null), ct);
        demoClock.Now += TimeSpan.FromMinutes(20);
        await repairs.AssignAsync(db, call.Id, firm.Id, ct);
        demoClock.Now = now.AddHours(-26);
        await repairs.SubmitForFlatAsync(db, new StaffReport(estate.Id, otherFlats[0].Id, byName["门窗"].Id, "防盗门合页松动，关门有异响", "入户门",
            "陈国强", "0772-2881234", "counter", null), ct);
        AsStaff(grid);
        demoClock.Now = now.AddHours(-6);
        await repairs.SubmitForFlatAsync(db, new StaffReport(estate.Id, null, byName["环境卫生"].Id, "消防通道堆放旧家具", "2栋消防通道",
            grid.Name, "13877001100", "grid_patrol", null), ct);

        db.Scope = system;
        db.ChangeTracker.Clear();
    }
}
