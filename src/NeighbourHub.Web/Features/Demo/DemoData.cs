using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Demo;

/// <summary>Configuration section <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    /// <summary>Seed the demo estate when the database is empty. On by default only in the embedded default (SQLite).</summary>
    public bool? Seed { get; set; }

    /// <summary>Password of every demo admin account.</summary>
    public string Password { get; set; } = "Demo@12345";
}

/// <summary>
/// A street, a community, two estates (one served by a firm, one self-managed as in the seeds'
/// 三无小区), six buildings, 300 households with realistic areas, two grids, the five demo admin
/// accounts and a few residents in every application state. Runs only on an empty database.
/// </summary>
public sealed class DemoData(IDbContextFactory<NeighbourHubDbContext> contexts, IServiceProvider services, TimeProvider clock, ILogger<DemoData> log)
{
    public async Task SeedAsync(string password, CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        if (await db.Streets.AnyAsync(ct))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var street = new Street { Name = "城中街道", District = "柳州市城中区" };
        db.Streets.Add(street);
        await db.SaveChangesAsync(ct);
        var community = new Community { StreetId = street.Id, Name = "河东社区" };
        db.Communities.Add(community);
        await db.SaveChangesAsync(ct);

        var sunshine = new Estate { CommunityId = community.Id, Name = "阳光花园", Address = "城中区河东路88号" };
        var oldQuarters = new Estate { CommunityId = community.Id, Name = "老机关宿舍", Address = "城中区文惠路12号" };
        db.Estates.AddRange(sunshine, oldQuarters);
        var firm = new PropertyFirm { Name = "安居物业服务有限公司", ContactPhone = "07722880000" };
        db.PropertyFirms.Add(firm);
        await db.SaveChangesAsync(ct);
        db.EstateFirmContracts.Add(new EstateFirmContract { EstateId = sunshine.Id, PropertyFirmId = firm.Id, From = new DateOnly(2021, 7, 1) });
        db.RepairCategories.AddRange(Repairs.RepairCategory.DefaultsFor(sunshine.Id));
        db.RepairCategories.AddRange(Repairs.RepairCategory.DefaultsFor(oldQuarters.Id));

        // 阳光花园: 4 buildings × 2 units × 11 floors × 3 flats = 264; 老机关宿舍: 2 × 1 × 6 × 3 = 36.
        var random = new Random(20261123);
        var buildings = new List<Building>();
        buildings.AddRange(await AddBuildingsAsync(db, sunshine, buildingCount: 4, unitsPerBuilding: 2, floors: 11, random, [89.5m, 105.8m, 128.3m], ct));
        buildings.AddRange(await AddBuildingsAsync(db, oldQuarters, buildingCount: 2, unitsPerBuilding: 1, floors: 6, random, [62.4m, 71.9m, 58.6m], ct));

        var grid1 = new Grid { CommunityId = community.Id, Name = "河东第一网格" };
        var grid2 = new Grid { CommunityId = community.Id, Name = "河东第二网格" };
        db.Grids.AddRange(grid1, grid2);
        await db.SaveChangesAsync(ct);
        db.GridBuildings.AddRange(buildings.Take(2).Select(b => new GridBuilding { GridId = grid1.Id, BuildingId = b.Id }));
        db.GridBuildings.AddRange(buildings.Skip(2).Select(b => new GridBuilding { GridId = grid2.Id, BuildingId = b.Id }));
        await db.SaveChangesAsync(ct);

        await using (var scope = services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AdminUser>>();
            await AddAdminAsync(db, users, "admin", "平台管理员", password, AdminRole.PlatformAdmin, null);
            await AddAdminAsync(db, users, "community", "河东社区 李主任", password, AdminRole.CommunityAdmin, community.Id);
            await AddAdminAsync(db, users, "firm", "安居物业 王经理", password, AdminRole.FirmStaff, firm.Id);
            await AddAdminAsync(db, users, "grid", "网格员 陈小梅", password, AdminRole.GridWorker, grid1.Id);
            await AddAdminAsync(db, users, "committee", "阳光花园业委会 赵主任", password, AdminRole.CommitteeMember, sunshine.Id);
        }

        var households = await db.Households.OrderBy(h => h.Id).ToListAsync(ct);
        var zhang = new Resident { OpenId = "dev-zhang", Nickname = "张阿姨", PhoneNumber = "13812341234", CreatedAt = now, LastLoginAt = now };
        var li = new Resident { OpenId = "dev-li", Nickname = "小李", PhoneNumber = "13912345678", CreatedAt = now, LastLoginAt = now };
        var wang = new Resident { OpenId = "dev-wang", Nickname = "王师傅", PhoneNumber = "13700001111", CreatedAt = now, LastLoginAt = now, IsVolunteer = true };
        var liu = new Resident { OpenId = "dev-liu", Nickname = "刘叔", CreatedAt = now, LastLoginAt = now };
        db.Residents.AddRange(zhang, li, wang, liu);
        await db.SaveChangesAsync(ct);

        var approvedZhang = Residence.Apply(zhang.Id, households[0].Id, households[0].EstateId, ResidenceRelation.Owner, "张秀英", now.AddDays(-120));
        approvedZhang.Approve(null, now.AddDays(-119));
        var approvedWang = Residence.Apply(wang.Id, households[40].Id, households[40].EstateId, ResidenceRelation.Tenant, "王建国", now.AddDays(-20));
        approvedWang.Approve(null, now.AddDays(-19));
        var pendingLi = Residence.Apply(li.Id, households[5].Id, households[5].EstateId, ResidenceRelation.Owner, "李明", now.AddHours(-3));
        var pendingLiu = Residence.Apply(liu.Id, households[^3].Id, households[^3].EstateId, ResidenceRelation.Owner, "刘德福", now.AddHours(-1));
        db.Residences.AddRange(approvedZhang, approvedWang, pendingLi, pendingLiu);
        await db.SaveChangesAsync(ct);
        var timer = System.Diagnostics.Stopwatch.StartNew();
        await SeedEventsAsync(db, community, sunshine, [zhang, li, wang, liu], now, ct);
        await SeedTimeBankAsync(db, community, zhang, wang, ct);
        var events = timer.Elapsed;
        await ActivatorUtilities.CreateInstance<RepairDemo>(services).SeedAsync(db, sunshine, [(zhang, households[0]), (wang, households[40])],
            [households[70], households[150]], now, ct);
        var repairs = timer.Elapsed - events;
        await SeedBillingAsync(db, sunshine, oldQuarters, zhang, now, ct);
        log.LogInformation("Demo activity seeded: events and time bank {Events:N1} s, repairs {Repairs:N1} s, billing {Billing:N1} s",
            events.TotalSeconds, repairs.TotalSeconds, (timer.Elapsed - events - repairs).TotalSeconds);
        await ActivatorUtilities.CreateInstance<FundDemo>(services).SeedAsync(db, sunshine, oldQuarters, zhang, password, ct);
        await ActivatorUtilities.CreateInstance<NoticeDemo>(services).SeedAsync(db, community, sunshine, oldQuarters, zhang, ct);
        await ActivatorUtilities.CreateInstance<TopicDemo>(services).SeedAsync(db, sunshine, zhang, ct);
        await ActivatorUtilities.CreateInstance<VoteDemo>(services).SeedAsync(db, sunshine, zhang, ct);
        log.LogInformation("Demo data seeded: {Households} households, admin accounts admin/community/firm/grid/committee", households.Count);
    }

    /// <summary>A popular event nearly full, a volunteer event with points, and one already held.</summary>
    private static async Task SeedEventsAsync(NeighbourHubDbContext db, Community community, Estate estate, Resident[] residents, DateTimeOffset now, CancellationToken ct)
    {
        // Five days ahead; UTC hours below read as Beijing time + 8 (02:00 UTC = 10:00).
        var day = now.UtcDateTime.Date.AddDays(5);
        var feast = new Events.CommunityEvent
        {
            CommunityId = community.Id,
            EstateId = estate.Id,
            Title = "邻里百家宴",
            Description = "每户带一道家常菜，在中心花园一起吃饭聊天。",
            Location = "阳光花园中心花园",
            StartsAt = new DateTimeOffset(day.AddHours(2), TimeSpan.Zero),
            EndsAt = new DateTimeOffset(day.AddHours(5), TimeSpan.Zero),
            SignupOpensAt = now.AddDays(-2),
            SignupClosesAt = new DateTimeOffset(day, TimeSpan.Zero),
            Capacity = 3,
            Status = Events.EventStatus.Published,
            CreatedAt = now,
        };
        var sorting = new Events.CommunityEvent
        {
            CommunityId = community.Id,
            EstateId = estate.Id,
            Title = "垃圾分类督导志愿服务",
            Description = "早晚高峰在投放点引导居民分类投放，每次两小时。",
            Location = "各楼栋投放点",
            StartsAt = new DateTimeOffset(day.AddHours(-1), TimeSpan.Zero),
            EndsAt = new DateTimeOffset(day.AddHours(1), TimeSpan.Zero),
            SignupOpensAt = now.AddDays(-1),
            SignupClosesAt = new DateTimeOffset(day.AddHours(-2), TimeSpan.Zero),
            Capacity = 10,
            VerifiedOnly = true,
            IsVolunteer = true,
            PointsAwarded = 20,
            Status = Events.EventStatus.Published,
            CreatedAt = now,
        };
        var lecture = new Events.CommunityEvent
        {
            CommunityId = community.Id,
            Title = "防诈骗知识讲座",
            Description = "社区民警讲解常见电信诈骗手法。",
            Location = "河东社区党群服务中心",
            StartsAt = now.AddDays(-7),
            EndsAt = now.AddDays(-7).AddHours(2),
            SignupOpensAt = now.AddDays(-14),
            SignupClosesAt = now.AddDays(-7),
            Capacity = 50,
            Status = Events.EventStatus.Completed,
            CompletedAt = now.AddDays(-7).AddHours(2),
            CreatedAt = now.AddDays(-14),
        };
        db.Events.AddRange(feast, sorting, lecture);
        await db.SaveChangesAsync(ct);

        // 百家宴: three seats taken, one resident waiting.
        for (var i = 0; i < residents.Length; i++)
        {
            var waiting = i >= feast.Capacity;
            db.EventSignups.Add(new Events.EventSignup
            {
                EventId = feast.Id,
                ResidentId = residents[i].Id,
                SignedUpAt = now.AddHours(-20 + i),
                Status = waiting ? Events.SignupStatus.Waitlisted : Events.SignupStatus.Confirmed,
                WaitlistTicket = waiting ? 1 : null,
            });
        }

        feast.Confirmed = feast.Capacity;
        feast.Waitlisted = 1;
        feast.WaitlistSeq = 1;
        db.EventSignups.Add(new Events.EventSignup { EventId = sorting.Id, ResidentId = residents[2].Id, SignedUpAt = now.AddHours(-5), Status = Events.SignupStatus.Confirmed });
        sorting.Confirmed = 1;
        db.EventSignups.Add(new Events.EventSignup
        {
            EventId = lecture.Id,
            ResidentId = residents[0].Id,
            SignedUpAt = now.AddDays(-10),
            Status = Events.SignupStatus.Confirmed,
            CheckedInAt = lecture.StartsAt,
        });
        lecture.Confirmed = 1;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>A small rewards catalogue and points earned by two volunteers, through the real ledger.</summary>
    private async Task SeedTimeBankAsync(NeighbourHubDbContext db, Community community, Resident zhang, Resident wang, CancellationToken ct)
    {
        db.Rewards.AddRange(
            new TimeBank.Reward { CommunityId = community.Id, Name = "理发券", PointsCost = 30, Stock = 20, PerPersonLimit = 2 },
            new TimeBank.Reward { CommunityId = community.Id, Name = "大米一袋（5kg）", PointsCost = 50, Stock = 10, PerPersonLimit = 1 },
            new TimeBank.Reward { CommunityId = community.Id, Name = "小区停车券（1天）", PointsCost = 20, Stock = 50 });
        await db.SaveChangesAsync(ct);

        var ledger = services.GetRequiredService<TimeBank.TimeBankLedger>();
        var pool = await ledger.PoolAsync(db, community.Id, ct);
        foreach (var (resident, points, memo) in new[] { (wang, 120, "助老陪诊 6 小时"), (zhang, 60, "垃圾分类督导 3 小时") })
        {
            var account = await ledger.ResidentAccountAsync(db, resident.Id, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await ledger.PostAsync(db, $"demo:grant:{resident.Id}", TimeBank.LedgerCategory.VolunteerService, community.Id, memo, null,
                [new TimeBank.Movement(pool.Id, -points), new TimeBank.Movement(account.Id, points)], ct);
            await tx.CommitAsync(ct);
        }

        // 王师傅 is an approved volunteer; 张阿姨 has asked for help with her tap, 30 points in escrow.
        var orders = services.GetRequiredService<TimeBank.ServiceOrderService>();
        await orders.ApplyAsync(db, wang.Id, ["水电维修", "陪诊"], "退休电工，住 2 栋", ct);
        await orders.DecideVolunteerAsync(db, wang.Id, approve: true, ct);
        await orders.PostAsync(db, zhang.Id, "厨房水龙头漏水", "周末上午家里有人", 30, null, "demo-order-1", ct);

        // A few redemptions through the real rules, so 兑换 shows who took what: 王师傅's haircut already handed over,
        // 张阿姨's parking day waiting at the office.
        var timeBank = services.GetRequiredService<TimeBank.TimeBankService>();
        var rewards = await db.Rewards.Where(r => r.CommunityId == community.Id).ToDictionaryAsync(r => r.Name, r => r.Id, ct);
        var (haircut, _) = await timeBank.RedeemAsync(db, wang.Id, rewards["理发券"], 1, "demo-redeem-1", ct);
        await timeBank.RedeemAsync(db, wang.Id, rewards["小区停车券（1天）"], 1, "demo-redeem-2", ct);
        await timeBank.RedeemAsync(db, zhang.Id, rewards["小区停车券（1天）"], 1, "demo-redeem-3", ct);
        await timeBank.FulfilAsync(db, haircut.Id, ct);
    }

    /// <summary>
    /// Fees for both estates and three months of bills through the real bill run; most older bills paid at the
    /// property office, and 张阿姨 pays last month's in WeChat (the sandbox), so arrears, collection rates,
    /// receipts and a refundable payment are all there to look at.
    /// </summary>
    private async Task SeedBillingAsync(NeighbourHubDbContext db, Estate sunshine, Estate oldQuarters, Resident zhang, DateTimeOffset now, CancellationToken ct)
    {
        var thisMonth = Billing.BillingPeriod.Of(ChinaTime.DayOf(now));
        var start = thisMonth.First.AddMonths(-2);
        var fees = services.GetRequiredService<Billing.BillingService>();
        foreach (var (estate, name, kind, fen) in new[]
                 {
                     (sunshine, "物业服务费", "perAreaMonthly", 180L), (oldQuarters, "物业服务费", "perAreaMonthly", 60L), (oldQuarters, "垃圾清运费", "fixedMonthly", 1000L),
                 })
        {
            await fees.CreateFeeItemAsync(db, new Billing.FeeItemBody(estate.Id, name, kind, fen, start, null, 15), ct);
        }

        var runner = services.GetRequiredService<Billing.BillingRunner>();
        foreach (var estate in new[] { sunshine, oldQuarters })
        {
            for (var m = 0; m < 3; m++)
            {
                var run = await runner.StartAsync(db, estate.Id, Billing.BillingPeriod.Of(start.AddMonths(m)), ct);
                await runner.RunAsync(run.Id, ct);
            }
        }

        await using var scope = services.CreateAsyncScope();
        var firmUser = await db.Users.Where(u => u.UserName == "firm").Select(u => u.Id).SingleAsync(ct);
        var system = db.Scope;
        db.Scope = CurrentScope.For(new AccessScope(ScopeKind.Admin, true, [], [], AdminUserId: firmUser, ActorName: "安居物业 前台"));
        var staff = scope.ServiceProvider.GetRequiredService<Payments.StaffPayments>();
        // Two months ago most paid at the office, last month fewer; this month is not yet due.
        var older = await db.Bills.AsNoTracking().Where(b => b.Period != thisMonth.ToString()).OrderBy(b => b.Id).ToListAsync(ct);
        var zhangHousehold = await db.Residences.Unscoped(Because.DemoSeeding).Where(r => r.ResidentId == zhang.Id).Select(r => r.HouseholdId).FirstAsync(ct);
        var random = new Random(4);
        var paidShare = new Dictionary<string, double> { [start.ToString("yyyy-MM")] = 0.85, [start.AddMonths(1).ToString("yyyy-MM")] = 0.6 };
        // Capped so the first start stays quick; enough for arrears and collection rates to look real.
        foreach (var bill in older.Where(b => b.HouseholdId != zhangHousehold && random.NextDouble() < paidShare.GetValueOrDefault(b.Period)).Take(180))
        {
            await staff.RecordOfflineAsync(db, bill.Id, random.Next(3) == 0 ? Payments.PaymentChannel.Cash : Payments.PaymentChannel.BankTransfer,
                $"DEMO-{bill.Id:D6}", ct);
        }

        db.Scope = system;

        // 张阿姨 pays two months ago in WeChat; last month's is still open for the demo.
        if (scope.ServiceProvider.GetRequiredService<NeighbourHub.WeChat.Pay.IWeChatPay>() is NeighbourHub.WeChat.Pay.SandboxWeChatPay sandbox)
        {
            var resolver = services.GetRequiredService<AccessScopeResolver>();
            db.Scope = CurrentScope.For(await resolver.ForResidentAsync(db, zhang.Id, ct));
            var bill = await db.Bills.AsNoTracking().Where(b => b.Period == start.ToString("yyyy-MM")).OrderBy(b => b.Id).FirstAsync(ct);
            var payments = scope.ServiceProvider.GetRequiredService<Payments.PaymentService>();
            var created = await payments.CreateAsync(db, zhang.Id, zhang.OpenId, [bill.Id], "demo-zhang-1", ct);
            var (headers, body) = sandbox.Pay(created.OutTradeNo);
            await scope.ServiceProvider.GetRequiredService<Payments.PaymentNotifications>().HandleAsync(headers, body, ct);
            db.Scope = system;
        }
    }

    private static async Task<List<Building>> AddBuildingsAsync(NeighbourHubDbContext db, Estate estate, int buildingCount, int unitsPerBuilding,
        int floors, Random random, decimal[] flatAreas, CancellationToken ct)
    {
        var buildings = Enumerable.Range(1, buildingCount).Select(n => new Building { EstateId = estate.Id, Name = $"{n}栋" }).ToList();
        db.Buildings.AddRange(buildings);
        await db.SaveChangesAsync(ct);
        foreach (var b in buildings)
        {
            var units = Enumerable.Range(1, unitsPerBuilding).Select(n => new Unit { EstateId = estate.Id, BuildingId = b.Id, Name = $"{n}单元" }).ToList();
            db.Units.AddRange(units);
            await db.SaveChangesAsync(ct);
            foreach (var u in units)
            {
                for (var floor = 1; floor <= floors; floor++)
                {
                    for (var flat = 1; flat <= flatAreas.Length; flat++)
                    {
                        // Same plan on every floor, with the small variations a survey finds.
                        var area = flatAreas[flat - 1] + (random.Next(-40, 41) / 100m);
                        db.Households.Add(new Household { EstateId = estate.Id, BuildingId = b.Id, UnitId = u.Id, Room = $"{floor}{flat:00}", AreaM2 = area });
                    }
                }
            }
        }

        await db.SaveChangesAsync(ct);
        return buildings;
    }

    private static async Task AddAdminAsync(NeighbourHubDbContext db, UserManager<AdminUser> users, string userName, string displayName,
        string password, AdminRole role, long? scopeId)
    {
        var user = new AdminUser { UserName = userName, DisplayName = displayName, LockoutEnabled = true };
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Demo admin {userName}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        }

        db.RoleAssignments.Add(RoleAssignment.Create(user.Id, role, scopeId));
        await db.SaveChangesAsync();
    }
}
