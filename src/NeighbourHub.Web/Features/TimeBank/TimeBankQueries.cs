using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.TimeBank;

/// <summary>A resident as staff lists show them: masked real name and flat (empty when none is known).</summary>
public sealed record ResidentLabel(string Name, string Flat)
{
    public string Label => Flat.Length == 0 ? $"居民 {Name}" : $"居民 {Name}（{Flat}）";
}

/// <summary>A resident found for a grant: masked name, estate and flat, the phone's last four digits.</summary>
public sealed record ResidentPick(long ResidentId, string Name, string Flat, string? PhoneTail)
{
    public string Label => PhoneTail is null ? $"{Name} · {Flat}" : $"{Name} · {Flat} · 尾号 {PhoneTail}";
}

/// <summary>A redemption as staff see it: who (masked) from which flat redeemed what, for how many points, when, and its state.</summary>
public sealed record AdminRedemptionRow(long Id, long RewardId, string RewardName, int Quantity, int Points, RedemptionStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt, long ResidentId, string ResidentName, string Flat);

/// <summary>
/// Every staff read of the time bank (accounts, ledger, rewards, redemptions, volunteers, service orders, the
/// leaderboard), shared by the admin API and the console pages so a list reads the same wherever it is shown.
/// The caller's scope filters decide which rows are visible.
/// </summary>
public static class TimeBankQueries
{
    /// <summary>The communities whose office the caller runs: the time bank is run by community offices.</summary>
    public static async Task<List<Community>> OfficeCommunitiesAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        var scope = db.Scope.Value;
        return (await OrganisationQueries.CommunitiesByName(db).ToListAsync(ct)).Where(c => scope.RunsOfficeOf(c.Id)).ToList();
    }

    public static IQueryable<Reward> RewardsByCost(NeighbourHubDbContext db) => db.Rewards.AsNoTracking().OrderBy(r => r.PointsCost);

    /// <summary>Redemptions for staff, newest first, of one status or of all, with who redeemed (masked) and their flat.</summary>
    public static async Task<Paged<AdminRedemptionRow>> RedemptionPageAsync(NeighbourHubDbContext db, RedemptionStatus? status, int page, int pageSize, CancellationToken ct)
    {
        var rows = await (from r in db.Redemptions
                          where status == null || r.Status == status
                          join w in db.Rewards on r.RewardId equals w.Id
                          orderby r.Id descending
                          select new AdminRedemptionRow(r.Id, r.RewardId, w.Name, r.Quantity, r.Points, r.Status, r.CreatedAt, r.DecidedAt, r.ResidentId, "", ""))
            .ToPageAsync(page, pageSize, ct);
        var people = await ResidentLabelsAsync(db, rows.Items.Select(r => r.ResidentId), ct);
        return rows with { Items = rows.Items.Select(r => r with { ResidentName = people[r.ResidentId].Name, Flat = people[r.ResidentId].Flat }).ToList() };
    }

    /// <summary>Service orders for staff, newest first, of one status or of all.</summary>
    public static IQueryable<ServiceOrder> ServiceOrders(NeighbourHubDbContext db, ServiceOrderStatus? status = null) =>
        db.ServiceOrders.AsNoTracking().Where(o => status == null || o.Status == status).OrderByDescending(o => o.Id);

    /// <summary>Accounts in scope, pools and escrows first, each named in words (never its internal key).</summary>
    public static async Task<Paged<PointsAccountRow>> AccountPageAsync(NeighbourHubDbContext db, int page, int pageSize, CancellationToken ct)
    {
        var rows = await (from a in db.TimeBankAccounts
                          orderby a.Kind descending, a.Balance descending, a.Id
                          select new PointsAccountRow(a.Id, a.Kind, a.ResidentId, "", a.CommunityId, a.Balance, a.EarnedTotal, a.SpentTotal))
            .ToPageAsync(page, pageSize, ct);
        var names = await AccountNamesAsync(db, rows.Items.Select(r => r.Id), ct);
        return rows with { Items = rows.Items.Select(r => r with { Owner = names.GetValueOrDefault(r.Id, "") }).ToList() };
    }

    /// <summary>Postings in scope, newest first, each account named in words.</summary>
    public static async Task<Paged<AdminLedgerRow>> LedgerPageAsync(NeighbourHubDbContext db, LedgerCategory? category, long? accountId, int page, int pageSize,
        CancellationToken ct) =>
        await NamedAsync(db, await Ledger(db, category, accountId).ToPageAsync(page, pageSize, ct), ct);

    /// <summary>The newest <paramref name="take"/> postings in scope, named (the export).</summary>
    public static async Task<IReadOnlyList<AdminLedgerRow>> LedgerListAsync(NeighbourHubDbContext db, int take, CancellationToken ct)
    {
        var rows = await Ledger(db, null, null).Take(take).ToListAsync(ct);
        return (await NamedAsync(db, new Paged<AdminLedgerRow>(rows, 1, take, rows.Count), ct)).Items;
    }

    private static IQueryable<AdminLedgerRow> Ledger(NeighbourHubDbContext db, LedgerCategory? category, long? accountId) =>
        from p in db.LedgerPostings
        where accountId == null || p.AccountId == accountId
        join t in db.LedgerTransactions on p.TransactionId equals t.Id
        where category == null || t.Category == category
        orderby t.Id descending, p.Id
        select new AdminLedgerRow(t.Id, t.CreatedAt, t.Category, t.Memo, p.AccountId, "", p.Amount, t.ApprovedByAdminId);

    private static async Task<Paged<AdminLedgerRow>> NamedAsync(NeighbourHubDbContext db, Paged<AdminLedgerRow> rows, CancellationToken ct)
    {
        var names = await AccountNamesAsync(db, rows.Items.Select(r => r.AccountId), ct);
        return rows with { Items = rows.Items.Select(r => r with { Owner = names.GetValueOrDefault(r.AccountId, "") }).ToList() };
    }

    /// <summary>
    /// What people call each account: "社区积分池 · 河东社区", "托管（待结算服务订单）· 河东社区" (points held for open service
    /// orders — not a second pool), "居民 张**（1栋1单元101）". The keys R:/P:/E: stay inside the ledger.
    /// </summary>
    public static async Task<Dictionary<long, string>> AccountNamesAsync(NeighbourHubDbContext db, IEnumerable<long> accountIds, CancellationToken ct)
    {
        var ids = accountIds.Distinct().ToList();
        var accounts = await db.TimeBankAccounts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Kind, a.ResidentId, a.CommunityId }).ToListAsync(ct);
        var communityIds = accounts.Where(a => a.CommunityId != null).Select(a => a.CommunityId!.Value).Distinct().ToList();
        var communities = await db.Communities.AsNoTracking().Where(c => communityIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var people = await ResidentLabelsAsync(db, accounts.Where(a => a.ResidentId != null).Select(a => a.ResidentId!.Value), ct);
        return accounts.ToDictionary(a => a.Id, a => a.Kind switch
        {
            AccountKind.Resident when a.ResidentId is { } r => people[r].Label,
            AccountKind.CommunityPool => $"社区积分池 · {communities.GetValueOrDefault(a.CommunityId ?? 0, "社区")}",
            AccountKind.Escrow => $"托管（待结算服务订单）· {communities.GetValueOrDefault(a.CommunityId ?? 0, "社区")}",
            _ => "居民",
        });
    }

    /// <summary>
    /// Residents as staff lists show them: the real name of their first approved home the caller sees, masked ("张**"),
    /// and that flat; a resident with no such home goes by their masked WeChat nickname.
    /// </summary>
    public static async Task<Dictionary<long, ResidentLabel>> ResidentLabelsAsync(NeighbourHubDbContext db, IEnumerable<long> residentIds, CancellationToken ct)
    {
        var ids = residentIds.Distinct().ToList();
        var homes = await (from r in db.Residences
                           where ids.Contains(r.ResidentId) && r.Status == ResidenceStatus.Approved
                           join h in db.Households on r.HouseholdId equals h.Id
                           join b in db.Buildings on h.BuildingId equals b.Id
                           join u in db.Units on h.UnitId equals u.Id
                           orderby r.Id
                           select new { r.ResidentId, r.RealName, Flat = b.Name + u.Name + h.Room }).ToListAsync(ct);
        var nicknames = await db.Residents.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Nickname, ct);
        return ids.ToDictionary(id => id, id => homes.FirstOrDefault(h => h.ResidentId == id) is { } home
            ? new ResidentLabel(NameMasking.Mask(home.RealName), home.Flat)
            : new ResidentLabel(NameMasking.Mask(nicknames.GetValueOrDefault(id, "")), ""));
    }

    /// <summary>
    /// Residents a grant may go to — approved homes in communities whose office the caller runs — found by name,
    /// flat ("3-2-501", "3栋2单元501", "501") or the last four digits of the phone; at most <paramref name="take"/>.
    /// </summary>
    public static async Task<List<ResidentPick>> GrantCandidatesAsync(NeighbourHubDbContext db, string? text, int take, CancellationToken ct)
    {
        var q = (text ?? "").Trim();
        if (q.Length == 0)
        {
            return [];
        }

        var scope = db.Scope.Value;
        var office = scope.OfficeEstateIds ?? [];
        var homes = from r in db.Residences
                    where r.Status == ResidenceStatus.Approved && (scope.Unrestricted || office.Contains(r.EstateId))
                    join p in db.Residents on r.ResidentId equals p.Id
                    join h in db.Households on r.HouseholdId equals h.Id
                    join b in db.Buildings on h.BuildingId equals b.Id
                    join u in db.Units on h.UnitId equals u.Id
                    join e in db.Estates on r.EstateId equals e.Id
                    select new { r.ResidentId, r.RealName, p.Nickname, p.PhoneNumber, Building = b.Name, Unit = u.Name, h.Room, Estate = e.Name };
        var parts = q.Split('-', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 2 or 3 && q.Contains('-', StringComparison.Ordinal))
        {
            // "3-2-501" (building-unit-room) or "3-501" (building-room), as the office writes flats.
            var (building, unit, room) = parts.Length == 3 ? (parts[0], parts[1], parts[2]) : (parts[0], (string?)null, parts[1]);
            var (buildingName, unitName) = (building + "栋", unit + "单元");
            homes = homes.Where(x => (x.Building == building || x.Building == buildingName) && x.Room == room
                                     && (unit == null || x.Unit == unit || x.Unit == unitName));
        }
        else if (q.Length == 4 && q.All(char.IsAsciiDigit))
        {
            homes = homes.Where(x => (x.PhoneNumber != null && x.PhoneNumber.EndsWith(q)) || x.Room == q);
        }
        else
        {
            homes = homes.Where(x => x.RealName.Contains(q) || x.Nickname.Contains(q) || (x.Building + x.Unit + x.Room).Contains(q) || x.Room == q);
        }

        var found = await homes.OrderBy(x => x.Estate).ThenBy(x => x.Building).ThenBy(x => x.Unit).ThenBy(x => x.Room).Take(take).ToListAsync(ct);
        return found.Select(x => new ResidentPick(x.ResidentId, NameMasking.Mask(x.RealName), $"{x.Estate} {x.Building}{x.Unit}{x.Room}",
            x.PhoneNumber is { Length: >= 4 } phone ? phone[^4..] : null)).ToList();
    }

    /// <summary>The volunteers in scope (of one status or all) with their records.</summary>
    public static async Task<List<VolunteerRow>> VolunteersAsync(NeighbourHubDbContext db, VolunteerStatus? status, CancellationToken ct)
    {
        // The statistics read other tables without their filters, so the visible profiles are fetched first.
        var visible = await db.VolunteerProfiles.Where(p => status == null || p.Status == status).Select(p => p.ResidentId).ToListAsync(ct);
        return await VolunteerQuery(db, db.VolunteerProfiles.Where(p => visible.Contains(p.ResidentId))).Unscoped(Because.VolunteerRecord).ToListAsync(ct);
    }

    /// <summary>Volunteers with their points earned, orders done and average rating; <paramref name="profiles"/> decides whose.</summary>
    private static IQueryable<VolunteerRow> VolunteerQuery(NeighbourHubDbContext db, IQueryable<VolunteerProfile> profiles) =>
        from p in profiles
        join r in db.Residents on p.ResidentId equals r.Id
        orderby p.AppliedAt descending
        select new VolunteerRow(p.ResidentId, r.Nickname, p.Status, p.Skills, p.Intro,
            db.TimeBankAccounts.Unscoped(Because.VolunteerRecord).Where(a => a.ResidentId == p.ResidentId).Select(a => a.EarnedTotal).FirstOrDefault(),
            db.ServiceOrders.Unscoped(Because.VolunteerRecord).Count(o => o.VolunteerId == p.ResidentId && (o.Status == ServiceOrderStatus.Confirmed || o.Status == ServiceOrderStatus.Resolved)),
            db.ServiceOrders.Unscoped(Because.VolunteerRecord).Where(o => o.VolunteerId == p.ResidentId && o.Stars != null).Average(o => (double?)o.Stars));

    /// <summary>Points earned in a month (service, events, orders) per resident of a community: the monthly volunteer leaderboard.</summary>
    public static IQueryable<LeaderboardRow> Leaderboard(NeighbourHubDbContext db, long communityId, DateTimeOffset start, DateTimeOffset end) =>
        from p in db.LedgerPostings.Unscoped(Because.LedgerTotals)
        where p.Amount > 0
        join t in db.LedgerTransactions.Unscoped(Because.LedgerTotals) on p.TransactionId equals t.Id
        where t.CommunityId == communityId && t.CreatedAt >= start && t.CreatedAt < end
              && (t.Category == LedgerCategory.VolunteerService || t.Category == LedgerCategory.EventAttendance || t.Category == LedgerCategory.ServiceOrder)
        join a in db.TimeBankAccounts.Unscoped(Because.LedgerTotals) on p.AccountId equals a.Id
        where a.Kind == AccountKind.Resident
        join r in db.Residents on a.ResidentId equals r.Id
        group p.Amount by new { r.Id, r.Nickname } into g
        orderby g.Sum() descending
        select new LeaderboardRow(g.Key.Id, g.Key.Nickname, g.Sum());
}
