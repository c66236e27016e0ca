using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.TimeBank;

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

    /// <summary>Redemptions for staff, newest first, of one status or of all.</summary>
    public static IQueryable<RedemptionView> Redemptions(NeighbourHubDbContext db, RedemptionStatus? status = null) =>
        from r in db.Redemptions
        where status == null || r.Status == status
        join w in db.Rewards on r.RewardId equals w.Id
        orderby r.Id descending
        select new RedemptionView(r.Id, r.RewardId, w.Name, r.Quantity, r.Points, r.Status, r.CreatedAt);

    /// <summary>Service orders for staff, newest first, of one status or of all.</summary>
    public static IQueryable<ServiceOrder> ServiceOrders(NeighbourHubDbContext db, ServiceOrderStatus? status = null) =>
        db.ServiceOrders.AsNoTracking().Where(o => status == null || o.Status == status).OrderByDescending(o => o.Id);

    public static IQueryable<PointsAccountRow> Accounts(NeighbourHubDbContext db) =>
        from a in db.TimeBankAccounts
        join r in db.Residents on a.ResidentId equals r.Id into residents
        from r in residents.DefaultIfEmpty()
        join c in db.Communities on a.CommunityId equals c.Id into communities
        from c in communities.DefaultIfEmpty()
        orderby a.Kind descending, a.Balance descending
        select new PointsAccountRow(a.Id, a.Kind, a.ResidentId, r != null ? r.Nickname : c != null ? c.Name + " 积分池" : a.OwnerKey, a.CommunityId, a.Balance, a.EarnedTotal, a.SpentTotal);

    public static IQueryable<AdminLedgerRow> Ledger(NeighbourHubDbContext db, LedgerCategory? category, long? accountId) =>
        from p in db.LedgerPostings
        where accountId == null || p.AccountId == accountId
        join t in db.LedgerTransactions on p.TransactionId equals t.Id
        where category == null || t.Category == category
        join a in db.TimeBankAccounts on p.AccountId equals a.Id
        join r in db.Residents on a.ResidentId equals r.Id into residents
        from r in residents.DefaultIfEmpty()
        orderby t.Id descending, p.Id
        select new AdminLedgerRow(t.Id, t.CreatedAt, t.Category, t.Memo, a.Id, r != null ? r.Nickname : a.OwnerKey, p.Amount, t.ApprovedByAdminId);

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
