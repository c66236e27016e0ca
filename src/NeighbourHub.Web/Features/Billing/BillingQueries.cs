using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Billing;

/// <summary>A bill as residents and the admin API see it.</summary>
public sealed record BillView(long Id, long HouseholdId, string Period, string FeeItem, long AmountFen, DateOnly DueDate, string Status, long RefundedFen,
    long? PaymentId, bool BeingPaid);

/// <summary>A bill with where its household is, for staff lists.</summary>
public sealed record BillRow(long Id, string Building, string Unit, string Room, string FeeItem, string Period, long AmountFen, DateOnly DueDate,
    BillStatus Status, bool BeingPaid, long? PaymentId, long RefundedFen)
{
    public string Address => Building + Unit + Room;

    public long HouseholdId { get; init; }
    public long? OriginalAmountFen { get; init; }
    public string? StaffNote { get; init; }
}

/// <summary>
/// Which bills a staff list shows: overdue (欠费: unpaid past the due date), unpaid, paid, refunded, voided, or all (null).
/// The words are the query parameter's (<c>/admin/billing/bills?status=overdue</c>, the dashboard's link).
/// </summary>
public static class BillFilter
{
    public const string Overdue = "overdue";

    public static readonly string[] All = [Overdue, "unpaid", "paid", "refunded", "voided"];

    public static string? Parse(string? text) => text is null ? null : All.FirstOrDefault(s => string.Equals(s, text.Trim(), StringComparison.OrdinalIgnoreCase));

    public static string Text(string? filter) => filter switch
    {
        Overdue => "欠费（已过缴费日未缴）",
        "unpaid" => "未缴（含未到期）",
        "paid" => "已缴",
        "refunded" => "已退款",
        "voided" => "已作废",
        _ => "全部",
    };
}

/// <summary>A page of a staff bill list with the count and 合计 of the filter's whole set (not only of the page).</summary>
public sealed record BillPage(IReadOnlyList<BillRow> Items, long Total, long TotalFen);

/// <summary>A household as staff find it on the door, for pickers.</summary>
public sealed record HouseholdChoice(long Id, string Address);

public sealed record ArrearsRow(long BillId, string Building, string Unit, string Room, string FeeItem, string Period, long AmountFen, DateOnly DueDate, int DaysOverdue);

public sealed record CollectionRow(string Key, string Name, int Bills, int PaidBills, long DueFen, long PaidFen, double? Rate);

public sealed record EstateChoice(long Id, string Name);

/// <summary>
/// Every read of fees and bills, shared by the admin API, the residents' API and the console pages, so a list
/// reads the same wherever it is shown. The caller's scope filters decide which rows are visible.
/// </summary>
public static class BillingQueries
{
    public static BillView View(Bill b) => new(b.Id, b.HouseholdId, b.Period, b.FeeItemName, b.AmountFen, b.DueDate, b.Status.ToString().ToLowerInvariant(),
        b.RefundedFen, b.PaidByPaymentId, b.LockedByPaymentId is not null);

    /// <summary>
    /// The caller's bills, newest period first: those of the flats where their residence is approved — the tenancy
    /// rule for residents (TenancyRules' HouseholdResidents), written here as the join it is. Read from the caller's
    /// residences (the ResidentId index) to each flat's bills (the HouseholdId index). Filtered by the rule alone (an
    /// EXISTS per bill) MariaDB read and sorted every bill of every estate on each request; and a query carrying the
    /// scope's id lists has its SQL generated afresh, under a lock, on every execution (ADR 0014). Keyed on the
    /// caller's own id, so unscoped (<see cref="Because.ResidentsOwnHomes"/>).
    /// </summary>
    public static async Task<List<BillView>> ResidentBillsAsync(NeighbourHubDbContext db, BillStatus? status, CancellationToken ct)
    {
        var me = db.Scope.Value.ResidentId ?? throw new InvalidOperationException("A resident's bills are read for a resident.");
        return (await ResidentBills.For(db)(db, me, status).ToListAsync(ct)).Select(View).ToList();
    }

    // Compiled (UnscopedQueries.Expand): EF walks and hashes a LINQ query's tree on every execution, and a resident's
    // bills are read on every visit to the page.
    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, BillStatus?, IAsyncEnumerable<Bill>>> ResidentBills = new(() => EF.CompileAsyncQuery(UnscopedQueries.Expand(
        (NeighbourHubDbContext db, long me, BillStatus? status) =>
            (from r in db.Residences.Unscoped(Because.ResidentsOwnHomes).AsNoTracking()
             where r.ResidentId == me && r.Status == ResidenceStatus.Approved // one live residence per flat and resident (ActiveKey)
             join b in db.Bills.AsNoTracking() on r.HouseholdId equals b.HouseholdId
             where status == null || b.Status == status
             orderby b.Period descending, b.Id
             select b).Take(200))));

    public static async Task<Paged<BillView>> BillsAsync(NeighbourHubDbContext db, long? estateId, string? period, BillStatus? status, long? householdId,
        int page, int pageSize, CancellationToken ct)
    {
        var result = await db.Bills.AsNoTracking()
            .Where(b => (estateId == null || b.EstateId == estateId) && (period == null || b.Period == period) && (status == null || b.Status == status)
                        && (householdId == null || b.HouseholdId == householdId))
            .OrderByDescending(b => b.Period).ThenBy(b => b.HouseholdId).ThenBy(b => b.Id).ToPageAsync(page, pageSize, ct);
        return new Paged<BillView>(result.Items.Select(View).ToList(), result.Page, result.PageSize, result.Total);
    }

    /// <summary>Bills with their household's address, oldest due first; <paramref name="arrearsOnly"/>: unpaid past the due date (欠费).</summary>
    public static IQueryable<BillRow> StaffBills(NeighbourHubDbContext db, long? estateId, long? buildingId, bool arrearsOnly, DateOnly today) =>
        from b in db.Bills.AsNoTracking()
        where (estateId == null || b.EstateId == estateId) && (!arrearsOnly || (b.Status == BillStatus.Unpaid && b.DueDate < today))
        join h in db.Households on b.HouseholdId equals h.Id
        where buildingId == null || h.BuildingId == buildingId
        join bu in db.Buildings on h.BuildingId equals bu.Id
        join u in db.Units on h.UnitId equals u.Id
        orderby b.DueDate, bu.Name, u.Name, h.Room
        select new BillRow(b.Id, bu.Name, u.Name, h.Room, b.FeeItemName, b.Period, b.AmountFen, b.DueDate, b.Status, b.LockedByPaymentId != null,
            b.PaidByPaymentId, b.RefundedFen);

    /// <summary>
    /// One page (<paramref name="pageIndex"/> from 0, as the console's grid counts) of a staff bill list and the aggregate (count, sum in fen) of everything the filter matches, both computed
    /// by the database: the (EstateId, Status, DueDate, AmountFen) index serves the filter, the order and the 合计.
    /// Conditions are added only when set, so the SQL has no "@p IS NULL OR …" to keep the index out.
    /// </summary>
    public static async Task<BillPage> StaffBillPageAsync(NeighbourHubDbContext db, long? estateId, long? buildingId, string? filter, long? householdId,
        DateOnly today, int pageIndex, int pageSize, CancellationToken ct)
    {
        var bills = db.Bills.AsNoTracking();
        if (estateId is { } e)
        {
            bills = bills.Where(b => b.EstateId == e);
        }

        if (householdId is { } hh)
        {
            bills = bills.Where(b => b.HouseholdId == hh);
        }

        bills = filter switch
        {
            BillFilter.Overdue => bills.Where(b => b.Status == BillStatus.Unpaid && b.DueDate < today),
            "unpaid" => bills.Where(b => b.Status == BillStatus.Unpaid),
            "paid" => bills.Where(b => b.Status == BillStatus.Paid),
            "refunded" => bills.Where(b => b.Status == BillStatus.Refunded),
            "voided" => bills.Where(b => b.Status == BillStatus.Voided),
            _ => bills,
        };
        if (buildingId is { } bid)
        {
            bills = from b in bills join h in db.Households on b.HouseholdId equals h.Id where h.BuildingId == bid select b;
        }

        var sum = await bills.GroupBy(_ => 1).Select(g => new { Count = g.LongCount(), Fen = g.Sum(b => b.AmountFen) }).SingleOrDefaultAsync(ct);
        var rows = await (from b in bills.OrderBy(b => b.DueDate).ThenBy(b => b.HouseholdId).ThenBy(b => b.Id).Skip(pageIndex * pageSize).Take(pageSize)
                          join h in db.Households on b.HouseholdId equals h.Id
                          join bu in db.Buildings on h.BuildingId equals bu.Id
                          join u in db.Units on h.UnitId equals u.Id
                          select new BillRow(b.Id, bu.Name, u.Name, h.Room, b.FeeItemName, b.Period, b.AmountFen, b.DueDate, b.Status, b.LockedByPaymentId != null,
                              b.PaidByPaymentId, b.RefundedFen)
                          { HouseholdId = b.HouseholdId, OriginalAmountFen = b.OriginalAmountFen, StaffNote = b.StaffNote }).ToListAsync(ct);
        // The join loses the page's order on some plans: put it back (a page is at most a hundred rows).
        rows = rows.OrderBy(r => r.DueDate).ThenBy(r => r.HouseholdId).ThenBy(r => r.Id).ToList();
        return new BillPage(rows, sum?.Count ?? 0, sum?.Fen ?? 0);
    }

    /// <summary>Households of an estate whose address (楼栋单元房号, e.g. "3栋2单元501" or just "501") contains the text, for pickers.</summary>
    public static Task<List<HouseholdChoice>> FindHouseholdsAsync(NeighbourHubDbContext db, long estateId, string? text, CancellationToken ct)
    {
        var t = (text ?? "").Trim().Replace("-", "", StringComparison.Ordinal);
        return (from h in db.Households.AsNoTracking()
                where h.EstateId == estateId
                join bu in db.Buildings on h.BuildingId equals bu.Id
                join u in db.Units on h.UnitId equals u.Id
                let address = bu.Name + u.Name + h.Room
                where t == "" || address.Contains(t) || h.Room == t
                orderby bu.Name, u.Name, h.Room
                select new HouseholdChoice(h.Id, address)).Take(30).ToListAsync(ct);
    }

    /// <summary>Bills a household can pay now at the counter: unpaid, not being paid in WeChat; oldest first.</summary>
    public static Task<List<Bill>> OpenBillsOfAsync(NeighbourHubDbContext db, long householdId, CancellationToken ct) =>
        db.Bills.AsNoTracking().Where(b => b.HouseholdId == householdId && b.Status == BillStatus.Unpaid)
            .OrderBy(b => b.DueDate).ThenBy(b => b.Id).Take(100).ToListAsync(ct);

    /// <summary>Unpaid bills past their due date (欠费), oldest first, with where the household is.</summary>
    public static async Task<List<ArrearsRow>> ArrearsAsync(NeighbourHubDbContext db, long? estateId, long? buildingId, TimeProvider clock, CancellationToken ct)
    {
        var today = clock.Today();
        var rows = await StaffBills(db, estateId, buildingId, arrearsOnly: true, today).Take(20_000).ToListAsync(ct);
        return rows.Select(r => new ArrearsRow(r.Id, r.Building, r.Unit, r.Room, r.FeeItem, r.Period, r.AmountFen, r.DueDate, today.DayNumber - r.DueDate.DayNumber)).ToList();
    }

    /// <summary>收缴率: paid ÷ billed, in fen and in bills, per estate (or per building), for one period or all.</summary>
    public static async Task<List<CollectionRow>> CollectionAsync(NeighbourHubDbContext db, long? estateId, string? period, bool byBuilding, CancellationToken ct)
    {
        var bills = from b in db.Bills.AsNoTracking()
                    where (estateId == null || b.EstateId == estateId) && (period == null || b.Period == period)
                    // A voided bill is not owed: it counts neither as billed nor as collected.
                    where b.Status != BillStatus.Voided
                    join h in db.Households on b.HouseholdId equals h.Id
                    select new { b.EstateId, h.BuildingId, b.AmountFen, Paid = b.Status != BillStatus.Unpaid };
        var grouped = byBuilding
            ? await bills.GroupBy(x => x.BuildingId).Select(g => new
            {
                Key = g.Key,
                Bills = g.Count(),
                PaidBills = g.Count(x => x.Paid),
                DueFen = g.Sum(x => x.AmountFen),
                PaidFen = g.Sum(x => x.Paid ? x.AmountFen : 0)
            }).ToListAsync(ct)
            : await bills.GroupBy(x => x.EstateId).Select(g => new
            {
                Key = g.Key,
                Bills = g.Count(),
                PaidBills = g.Count(x => x.Paid),
                DueFen = g.Sum(x => x.AmountFen),
                PaidFen = g.Sum(x => x.Paid ? x.AmountFen : 0)
            }).ToListAsync(ct);
        var keys = grouped.Select(g => g.Key).ToList();
        var names = byBuilding
            ? await db.Buildings.Where(b => keys.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Name, ct)
            : await db.Estates.Where(e => keys.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        return grouped.OrderBy(g => g.Key).Select(g => new CollectionRow($"{(byBuilding ? "building" : "estate")}:{g.Key}", names.GetValueOrDefault(g.Key, $"#{g.Key}"),
            g.Bills, g.PaidBills, g.DueFen, g.PaidFen, g.DueFen == 0 ? null : Math.Round((double)g.PaidFen / g.DueFen, 4))).ToList();
    }

    /// <summary>The latest billed months, newest first.</summary>
    public static IQueryable<string> Periods(NeighbourHubDbContext db) => db.Bills.Select(b => b.Period).Distinct().OrderByDescending(p => p).Take(24);

    public static IQueryable<FeeItem> FeeItems(NeighbourHubDbContext db, long? estateId) =>
        db.FeeItems.AsNoTracking().Where(f => estateId == null || f.EstateId == estateId).OrderBy(f => f.EstateId).ThenBy(f => f.Id);

    /// <summary>How many households are exempt from each of these fee items.</summary>
    public static Task<Dictionary<long, int>> ExemptionCountsAsync(NeighbourHubDbContext db, IReadOnlyCollection<long> feeItemIds, CancellationToken ct) =>
        db.FeeExemptions.Where(x => feeItemIds.Contains(x.FeeItemId)).GroupBy(x => x.FeeItemId).ToDictionaryAsync(g => g.Key, g => g.Count(), ct);

    /// <summary>An estate's bill runs, latest first.</summary>
    public static IQueryable<BillingRun> Runs(NeighbourHubDbContext db, long estateId) =>
        db.BillingRuns.AsNoTracking().Where(r => r.EstateId == estateId).OrderByDescending(r => r.Id);

    public static Task<BillingRun?> RunAsync(NeighbourHubDbContext db, long id, CancellationToken ct) =>
        db.BillingRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, ct);

    /// <summary>The estates staff may bill, by name, for the console's pickers.</summary>
    public static IQueryable<EstateChoice> Estates(NeighbourHubDbContext db) =>
        db.Estates.AsNoTracking().OrderBy(e => e.Name).Select(e => new EstateChoice(e.Id, e.Name));

    /// <summary>Buildings by name, of one estate or (null) of every estate in scope.</summary>
    public static IQueryable<Building> Buildings(NeighbourHubDbContext db, long? estateId) =>
        db.Buildings.AsNoTracking().Where(b => estateId == null || b.EstateId == estateId).OrderBy(b => b.Name);

    public static IQueryable<Unit> Units(NeighbourHubDbContext db, long? estateId) =>
        db.Units.AsNoTracking().Where(u => u.EstateId == estateId).OrderBy(u => u.Name);

    /// <summary>The household a person names by building, unit and room (as staff find it on the door).</summary>
    public static Task<long?> HouseholdAtAsync(NeighbourHubDbContext db, long? buildingId, long? unitId, string room, CancellationToken ct) =>
        db.Households.Where(h => h.BuildingId == buildingId && h.UnitId == unitId && h.Room == room.Trim()).Select(h => (long?)h.Id).FirstOrDefaultAsync(ct);
}
