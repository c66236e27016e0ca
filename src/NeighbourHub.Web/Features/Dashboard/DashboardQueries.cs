using System.Linq.Expressions;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Events;
using NeighbourHub.Web.Features.Fund;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Notices;
using NeighbourHub.Web.Features.Organisation;
using NeighbourHub.Web.Features.Repairs;
using NeighbourHub.Web.Features.Residents;
using NeighbourHub.Web.Features.TimeBank;
using NeighbourHub.Web.Features.Topics;
using NeighbourHub.Web.Features.Votes;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Dashboard;

/// <summary>What the home page is about: one estate, one grid or one firm's estates (or everything in scope), over [From, To).</summary>
public sealed record DashboardFilter(long? EstateId, long? GridId, long? FirmId, DateTimeOffset From, DateTimeOffset To);

/// <summary>The sections whose pages the caller's role may open (decided from the console's policies, see <see cref="DashboardAccess"/>).</summary>
public sealed record DashboardSections(bool Fees, bool TimeBank);

public sealed record DashboardScopeView(long? EstateId, long? GridId, long? FirmId, DateTimeOffset From, DateTimeOffset To, int Estates);

public sealed record WeekCount(DateOnly WeekStart, int Opened, int Closed);

/// <summary>
/// Repairs: open now (overdue, escalated, not yet assigned among them), and of those reported in the period (cancelled
/// left out, as on the KPI page): handled, handled by the deadline, average stars; opened and closed per week.
/// </summary>
public sealed record RepairFigures(int Open, int Overdue, int Escalated, int Unassigned, int Reported, int Handled, double? HandlingRate, double? OnTimeRate,
    double? Satisfaction, int Rated, IReadOnlyList<WeekCount> Weeks);

public sealed record MonthCollection(string Period, long DueFen, long PaidFen, double? Rate);

/// <summary>Fees: collection of this month's bills (paid ÷ billed, in fen) and of the months before; arrears = unpaid bills past due.</summary>
public sealed record FeeFigures(string Period, double? CollectionRate, IReadOnlyList<MonthCollection> Months, long ArrearsFen, int ArrearsHouseholds);

/// <summary>The owners' fund: balance now, income and expense entries this month, expenses proposed or approved and not yet paid.</summary>
public sealed record FundFigures(long BalanceFen, long IncomeFen, long ExpenseFen, int OpenProposals);

/// <summary>Events: published ones still to start and their confirmed sign-ups; sign-ups made in the period; attendance of events that ended in it.</summary>
public sealed record EventFigures(int Upcoming, int UpcomingSignups, int Signups, int Expected, int Attended, double? AttendanceRate);

/// <summary>The time bank (community office only): hours served at volunteer events that ended in the period, points residents earned and spent on rewards.</summary>
public sealed record TimeBankFigures(double HoursServed, long PointsEarned, long PointsSpent);

public sealed record OpenVoteTurnout(long Id, string Title, int Voters, int VotersTotal, double? Turnout);

/// <summary>Votes: announced and open ones, and the turnout (heads) of each open one.</summary>
public sealed record VoteFigures(int Announced, int Open, IReadOnlyList<OpenVoteTurnout> Turnout);

/// <summary>The latest published notice and how many of the flats it reaches have not read it.</summary>
public sealed record NoticeFigures(long? LatestId, string? LatestTitle, DateTimeOffset? PublishedAt, int Reachable, int Unread, double? UnreadShare);

/// <summary>A line of the to-do list: how many, and the console list that shows exactly those.</summary>
public sealed record TodoItem(string Key, string Title, int Count, string Href);

/// <summary>The home page's figures; a section the caller's role may not see is absent (null, left out of the JSON), never zero.</summary>
public sealed record DashboardView(
    DashboardScopeView Scope,
    RepairFigures Repairs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FeeFigures? Fees,
    FundFigures Fund,
    EventFigures Events,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TimeBankFigures? TimeBank,
    VoteFigures Votes,
    NoticeFigures Notices,
    IReadOnlyList<TodoItem> Todo);

/// <summary>
/// The console's home page (<c>/admin</c>) and <c>GET /api/v1/admin/dashboard</c>: every figure an aggregate computed by
/// the database (COUNT / SUM / GROUP BY over index ranges), never rows loaded to be counted here, so a million repairs
/// cost what the period's slice of an index costs. The tenancy filters decide what is counted; on top of them every
/// query names the estates explicitly, so MariaDB ranges over the (EstateId, …) indexes.
/// </summary>
public sealed class DashboardQueries(NoticeQueries notices, TimeProvider clock)
{
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(366);

    /// <summary>The default period: this week and the eleven before it, from Monday 00:00 China time.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) DefaultPeriod(DateTimeOffset now)
    {
        var today = ChinaTime.DayOf(now);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        return (ChinaTime.StartOf(monday.AddDays(-7 * 11)), now);
    }

    /// <summary>The estates the filter picks among those the caller sees; an estate, grid or firm outside the scope is not found.</summary>
    public static async Task<(List<long> Estates, List<long> Communities)> EstatesOfAsync(NeighbourHubDbContext db, DashboardFilter f, DateOnly today, CancellationToken ct)
    {
        var estates = db.Estates.AsNoTracking();
        if (f.EstateId is { } estateId)
        {
            estates = estates.Where(e => e.Id == estateId);
            if (!await estates.AnyAsync(ct))
            {
                throw new NotFoundException("小区");
            }
        }

        if (f.GridId is { } gridId)
        {
            if (!await db.Grids.AnyAsync(g => g.Id == gridId, ct))
            {
                throw new NotFoundException("网格");
            }

            var buildings = db.GridBuildings.Where(gb => gb.GridId == gridId).Select(gb => gb.BuildingId);
            estates = estates.Where(e => db.Buildings.Any(b => b.EstateId == e.Id && buildings.Contains(b.Id)));
        }

        if (f.FirmId is { } firmId)
        {
            // Contracts are filtered like their estates: a firm serving none of the caller's estates is not found.
            var served = db.EstateFirmContracts.Where(EstateFirmContract.ActiveOn(today)).Where(c => c.PropertyFirmId == firmId).Select(c => c.EstateId);
            if (!await served.AnyAsync(ct))
            {
                throw new NotFoundException("物业公司");
            }

            estates = estates.Where(e => served.Contains(e.Id));
        }

        var rows = await estates.Select(e => new { e.Id, e.CommunityId }).ToListAsync(ct);
        return (rows.Select(r => r.Id).ToList(), rows.Select(r => r.CommunityId).Distinct().ToList());
    }

    public async Task<DashboardView> ComputeAsync(NeighbourHubDbContext db, DashboardFilter f, DashboardSections sections, Func<string, bool> mayOpen, CancellationToken ct)
    {
        if (f.To <= f.From || f.To - f.From > MaxPeriod)
        {
            throw new DomainValidationException("to", "统计区间的开始时间须早于结束时间，且最长 366 天。");
        }

        var now = clock.GetUtcNow();
        var today = ChinaTime.DayOf(now);
        var (estates, communities) = await EstatesOfAsync(db, f, today, ct);
        var repairs = await RepairsAsync(db, estates, f, now, ct);
        var fees = sections.Fees ? await FeesAsync(db, estates, f.GridId, now, ct) : null;
        var fund = await FundAsync(db, estates, now, ct);
        var events = await EventsAsync(db, estates, communities, f, now, ct);
        var timeBank = sections.TimeBank ? await TimeBankAsync(db, communities, f, ct) : null;
        var votes = await VotesAsync(db, estates, ct);
        var noticeFigures = await NoticesAsync(db, estates, communities, now, ct);
        var todo = (await TodoAsync(db, estates, communities, now, ct)).Where(t => mayOpen(t.Href)).ToList();
        return new DashboardView(new DashboardScopeView(f.EstateId, f.GridId, f.FirmId, f.From, f.To, estates.Count),
            repairs, fees, fund, events, timeBank, votes, noticeFigures, todo);
    }

    // ---------------------------------------------------------------- repairs

    /// <summary>Repairs of the estates; with a grid, those of its buildings' flats and the public areas of its estates (as on the board).</summary>
    private static IQueryable<Repair> RepairsOf(NeighbourHubDbContext db, List<long> estates, long? gridId)
    {
        var repairs = db.Repairs.AsNoTracking().Where(r => estates.Contains(r.EstateId));
        if (gridId is null)
        {
            return repairs;
        }

        var buildings = db.GridBuildings.Where(gb => gb.GridId == gridId).Select(gb => gb.BuildingId);
        var households = db.Households.Where(h => buildings.Contains(h.BuildingId)).Select(h => (long?)h.Id);
        return repairs.Where(r => r.HouseholdId == null || households.Contains(r.HouseholdId));
    }

    private static async Task<RepairFigures> RepairsAsync(NeighbourHubDbContext db, List<long> estates, DashboardFilter f, DateTimeOffset now, CancellationToken ct)
    {
        var all = RepairsOf(db, estates, f.GridId);
        // Open now: the (EstateId, Status, DeadlineAt) index; open repairs are a small part of all.
        var open = await all.Where(Repair.Open).GroupBy(_ => 1).Select(g => new
        {
            Open = g.Count(),
            Overdue = g.Count(r => r.DeadlineAt < now),
            Escalated = g.Count(r => r.EscalationLevel > 0),
            Unassigned = g.Count(r => r.Status == RepairStatus.Submitted),
        }).SingleOrDefaultAsync(ct);

        // Reported in the period (current state of each), per week of reporting, and resolved per week: from the day
        // figures (a few hundred rows for a year) where they cover the caller's view, live from the repairs where they do
        // not (a grid's share of an estate, ADR 0013).
        var weeks = Weeks(f.From, f.To);
        var gridView = f.GridId is not null || (db.Scope.Value.GridOnlyEstateIds is { Count: > 0 } gridOnly && estates.Any(gridOnly.Contains));
        var byWeek = gridView ? await LiveWeeksAsync(all, f, weeks, ct) : await DayFiguresWeeksAsync(db, all, estates, f, weeks.Count, ct);
        var period = new PeriodCounts();
        foreach (var w in byWeek)
        {
            period.Add(w);
        }

        var weekRows = weeks.Select((start, i) => new WeekCount(ChinaTime.DayOf(start), byWeek[i].Reported, byWeek[i].Closed)).ToList();
        return new RepairFigures(open?.Open ?? 0, open?.Overdue ?? 0, open?.Escalated ?? 0, open?.Unassigned ?? 0,
            period.Reported, period.Handled, Ratio(period.Handled, period.Reported), Ratio(period.OnTime, period.Handled),
            period.Rated > 0 ? Math.Round((double)period.Stars / period.Rated, 2) : null, period.Rated, weekRows);
    }

    /// <summary>A week's (or the period's) counts: reported (not cancelled), handled, on time, rated, stars; resolved in it.</summary>
    private sealed class PeriodCounts
    {
        public int Reported;
        public int Handled;
        public int OnTime;
        public int Rated;
        public long Stars;
        public int Closed;

        public void Add(PeriodCounts o)
        {
            Reported += o.Reported;
            Handled += o.Handled;
            OnTime += o.OnTime;
            Rated += o.Rated;
            Stars += o.Stars;
            Closed += o.Closed;
        }
    }

    private static PeriodCounts[] NewWeeks(int count) => Enumerable.Range(0, count).Select(_ => new PeriodCounts()).ToArray();

    /// <summary>
    /// Whole Beijing days of the period from <see cref="RepairDayFigures"/>; the part days at either end (the period
    /// starting at an hour other than midnight, and today so far) live from the repairs: two small index ranges.
    /// </summary>
    private static async Task<PeriodCounts[]> DayFiguresWeeksAsync(NeighbourHubDbContext db, IQueryable<Repair> all, List<long> estates, DashboardFilter f, int weekCount,
        CancellationToken ct)
    {
        var result = NewWeeks(weekCount);
        var fromDay = ChinaTime.DayOf(f.From);
        int WeekOf(DateOnly day) => Math.Min(weekCount - 1, (day.DayNumber - fromDay.DayNumber) / 7);
        var period = RepairDayFigures.PeriodSplit.Of(f.From, f.To);

        var days = await db.RepairDayFigures.AsNoTracking().Where(RepairDayFigures.WholeEstate)
            .Where(d => estates.Contains(d.EstateId) && d.Day >= period.FirstWholeDay && d.Day < period.EndDay)
            .GroupBy(d => d.Day).Select(g => new
            {
                Day = g.Key,
                Reported = g.Sum(d => d.Reported),
                Handled = g.Sum(d => d.Handled),
                OnTime = g.Sum(d => d.OnTime),
                Rated = g.Sum(d => d.Rated),
                Stars = g.Sum(d => d.Stars),
                Closed = g.Sum(d => d.Closed),
            }).ToListAsync(ct);
        foreach (var d in days)
        {
            result[WeekOf(d.Day)].Add(new PeriodCounts { Reported = d.Reported, Handled = d.Handled, OnTime = d.OnTime, Rated = d.Rated, Stars = d.Stars, Closed = d.Closed });
        }

        foreach (var (from, to) in period.PartDays)
        {
            result[WeekOf(ChinaTime.DayOf(from))].Add(await LiveSliceAsync(all, from, to, ct));
        }

        return result;
    }

    /// <summary>Counts of a stretch within one day, straight from the repairs.</summary>
    private static async Task<PeriodCounts> LiveSliceAsync(IQueryable<Repair> all, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        // As UTC instants, the way the providers store them.
        from = from.ToUniversalTime();
        to = to.ToUniversalTime();
        var reported = await all.Where(r => r.CreatedAt >= from && r.CreatedAt < to && r.Status != RepairStatus.Cancelled).GroupBy(_ => 1).Select(g => new
        {
            Reported = g.Count(),
            Handled = g.Count(r => (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed) && r.ResolvedAt != null),
            OnTime = g.Count(r => (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed) && r.ResolvedAt != null && r.ResolvedAt <= r.DeadlineAt),
            Rated = g.Count(r => r.Stars != null),
            Stars = g.Sum(r => r.Stars ?? 0),
        }).SingleOrDefaultAsync(ct);
        var closed = await all.CountAsync(r => r.ResolvedAt >= from && r.ResolvedAt < to && (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed), ct);
        return new PeriodCounts
        {
            Reported = reported?.Reported ?? 0,
            Handled = reported?.Handled ?? 0,
            OnTime = reported?.OnTime ?? 0,
            Rated = reported?.Rated ?? 0,
            Stars = reported?.Stars ?? 0,
            Closed = closed,
        };
    }

    /// <summary>
    /// The whole period from the repairs (a grid's view, which the day figures do not split): ONE pass over a range of the
    /// covering (EstateId, CreatedAt, Status, DeadlineAt, ResolvedAt, Stars) index gives the weekly "opened" and the
    /// period's figures; one over (EstateId, ResolvedAt, Status) the weekly "closed".
    /// </summary>
    private static async Task<PeriodCounts[]> LiveWeeksAsync(IQueryable<Repair> all, DashboardFilter f, List<DateTimeOffset> weeks, CancellationToken ct)
    {
        var result = NewWeeks(weeks.Count);
        var reported = all.Where(r => r.CreatedAt >= f.From && r.CreatedAt < f.To && r.Status != RepairStatus.Cancelled);
        var byWeek = await reported.GroupBy(Bucket<Repair>(r => r.CreatedAt, weeks)).Select(g => new
        {
            g.Key,
            Reported = g.Count(),
            Handled = g.Count(r => (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed) && r.ResolvedAt != null),
            OnTime = g.Count(r => (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed) && r.ResolvedAt != null && r.ResolvedAt <= r.DeadlineAt),
            Rated = g.Count(r => r.Stars != null),
            Stars = g.Sum(r => r.Stars ?? 0),
        }).ToListAsync(ct);
        foreach (var w in byWeek)
        {
            result[w.Key].Add(new PeriodCounts { Reported = w.Reported, Handled = w.Handled, OnTime = w.OnTime, Rated = w.Rated, Stars = w.Stars });
        }

        var closed = await all.Where(r => r.ResolvedAt >= f.From && r.ResolvedAt < f.To && (r.Status == RepairStatus.Resolved || r.Status == RepairStatus.Closed))
            .GroupBy(Bucket<Repair>(r => r.ResolvedAt!.Value, weeks)).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var c in closed)
        {
            result[c.Key].Closed += c.Count;
        }

        return result;
    }

    /// <summary>
    /// Beijing weeks of the period: from midnight of its first day in steps of 7 days, while they start before
    /// <paramref name="to"/> (the first and last may be partly outside the period; only the period is counted).
    /// </summary>
    public static List<DateTimeOffset> Weeks(DateTimeOffset from, DateTimeOffset to)
    {
        var starts = new List<DateTimeOffset>();
        for (var s = ChinaTime.StartOf(ChinaTime.DayOf(from)).ToUniversalTime(); s < to; s = s.AddDays(7))
        {
            starts.Add(s);
        }

        return starts;
    }

    /// <summary>
    /// The index of the week an instant falls in, as nested SQL CASEs that halve the weeks at each step (x &lt; w26 THEN
    /// (x &lt; w13 …) ELSE (…)), so a row costs about log2(weeks) comparisons, not one per week: the database groups by it,
    /// whatever the provider (SQLite stores instants as numbers, MariaDB as DATETIME), with no date functions. Rows are
    /// already limited to [first week's start, end of the period).
    /// </summary>
    private static Expression<Func<T, int>> Bucket<T>(Expression<Func<T, DateTimeOffset>> at, List<DateTimeOffset> starts)
    {
        Expression Split(int first, int last)
        {
            if (first == last)
            {
                return Expression.Constant(first);
            }

            var mid = (first + last + 1) / 2;
            // Captured as a closure member, so EF sends each boundary as a parameter of the right type.
            var boundary = Expression.Property(Expression.Constant(new Boundary(starts[mid])), nameof(Boundary.At));
            return Expression.Condition(Expression.LessThan(at.Body, boundary), Split(first, mid - 1), Split(mid, last));
        }

        return Expression.Lambda<Func<T, int>>(Split(0, starts.Count - 1), at.Parameters);
    }

    private sealed record Boundary(DateTimeOffset At);

    private static double? Ratio(long part, long whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    // ---------------------------------------------------------------- fees

    private static async Task<FeeFigures> FeesAsync(NeighbourHubDbContext db, List<long> estates, long? gridId, DateTimeOffset now, CancellationToken ct)
    {
        var bills = db.Bills.AsNoTracking().Where(b => estates.Contains(b.EstateId));
        if (gridId is not null)
        {
            var buildings = db.GridBuildings.Where(gb => gb.GridId == gridId).Select(gb => gb.BuildingId);
            bills = bills.Where(b => db.Households.Any(h => h.Id == b.HouseholdId && buildings.Contains(h.BuildingId)));
        }

        var current = BillingPeriod.Of(ChinaTime.DayOf(now));
        var periods = Enumerable.Range(0, 6).Select(i => BillingPeriod.Of(current.First.AddMonths(i - 5)).ToString()).ToList();
        // Per period on the (EstateId, Period, Status) index; paid = not unpaid, as on the collection page.
        var months = await bills.Where(b => periods.Contains(b.Period)).GroupBy(b => b.Period).Select(g => new
        {
            Period = g.Key,
            DueFen = g.Sum(b => b.AmountFen),
            PaidFen = g.Sum(b => b.Status != BillStatus.Unpaid ? b.AmountFen : 0),
        }).ToListAsync(ct);
        var rows = periods.Select(p => months.FirstOrDefault(m => m.Period == p) is { } m
            ? new MonthCollection(p, m.DueFen, m.PaidFen, Ratio(m.PaidFen, m.DueFen))
            : new MonthCollection(p, 0, 0, null)).ToList();

        var today = ChinaTime.DayOf(now);
        var arrears = await bills.Where(b => b.Status == BillStatus.Unpaid && b.DueDate < today).GroupBy(_ => 1).Select(g => new
        {
            Fen = g.Sum(b => b.AmountFen),
            Households = g.Select(b => b.HouseholdId).Distinct().Count(),
        }).SingleOrDefaultAsync(ct);
        return new FeeFigures(current.ToString(), rows[^1].Rate, rows, arrears?.Fen ?? 0, arrears?.Households ?? 0);
    }

    // ---------------------------------------------------------------- fund

    private static async Task<FundFigures> FundAsync(NeighbourHubDbContext db, List<long> estates, DateTimeOffset now, CancellationToken ct)
    {
        var balance = await db.FundAccounts.Where(a => estates.Contains(a.EstateId)).SumAsync(a => a.BalanceFen, ct);
        var monthStart = ChinaTime.StartOfMonth(now).ToUniversalTime();
        var month = await db.FundEntries.Where(e => estates.Contains(e.EstateId) && e.At >= monthStart).GroupBy(e => e.Kind)
            .Select(g => new { Kind = g.Key, Fen = g.Sum(e => e.AmountFen) }).ToListAsync(ct);
        var open = await db.FundExpenses.CountAsync(e => estates.Contains(e.EstateId) && (e.Status == ExpenseStatus.Proposed || e.Status == ExpenseStatus.Approved), ct);
        return new FundFigures(balance, month.Where(m => m.Kind == FundEntryKind.Income).Sum(m => m.Fen), -month.Where(m => m.Kind == FundEntryKind.Expense).Sum(m => m.Fen), open);
    }

    // ---------------------------------------------------------------- events

    private static IQueryable<CommunityEvent> EventsOf(NeighbourHubDbContext db, List<long> estates, List<long> communities) =>
        db.Events.AsNoTracking().Where(e => e.EstateId == null ? communities.Contains(e.CommunityId) : estates.Contains(e.EstateId.Value));

    private static async Task<EventFigures> EventsAsync(NeighbourHubDbContext db, List<long> estates, List<long> communities, DashboardFilter f, DateTimeOffset now,
        CancellationToken ct)
    {
        var events = EventsOf(db, estates, communities);
        var upcoming = await events.Where(e => e.Status == EventStatus.Published && e.StartsAt >= now).GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Signups = g.Sum(e => e.Confirmed) }).SingleOrDefaultAsync(ct);
        var signups = await db.EventSignups.CountAsync(s => s.SignedUpAt >= f.From && s.SignedUpAt < f.To && s.Status != SignupStatus.Cancelled
            && events.Any(e => e.Id == s.EventId), ct);
        var ended = events.Where(e => e.Status == EventStatus.Completed && e.EndsAt >= f.From && e.EndsAt < f.To).Select(e => e.Id);
        var attendance = await db.EventSignups.Where(s => s.Status == SignupStatus.Confirmed && ended.Contains(s.EventId)).GroupBy(_ => 1)
            .Select(g => new { Expected = g.Count(), Attended = g.Count(s => s.CheckedInAt != null) }).SingleOrDefaultAsync(ct);
        return new EventFigures(upcoming?.Count ?? 0, upcoming?.Signups ?? 0, signups, attendance?.Expected ?? 0, attendance?.Attended ?? 0,
            Ratio(attendance?.Attended ?? 0, attendance?.Expected ?? 0));
    }

    // ---------------------------------------------------------------- time bank

    private static async Task<TimeBankFigures> TimeBankAsync(NeighbourHubDbContext db, List<long> communities, DashboardFilter f, CancellationToken ct)
    {
        // The office's communities only (a platform admin's: all), among those the filter picked.
        var scope = db.Scope.Value;
        var office = scope.Unrestricted ? communities : communities.Where(c => scope.OfficeCommunityIds?.Contains(c) == true).ToList();

        // Hours: each attendee of a volunteer event that ended in the period served the event's length.
        var served = await db.Events.AsNoTracking()
            .Where(e => e.IsVolunteer && e.Status == EventStatus.Completed && e.EndsAt >= f.From && e.EndsAt < f.To && office.Contains(e.CommunityId))
            .Select(e => new { e.StartsAt, e.EndsAt, Attended = db.EventSignups.Count(s => s.EventId == e.Id && s.CheckedInAt != null) })
            .Where(e => e.Attended > 0).ToListAsync(ct);
        var hours = Math.Round(served.Sum(e => (e.EndsAt - e.StartsAt).TotalHours * e.Attended), 1);

        // Points residents earned (service, attendance, orders) and spent on rewards (less refunds), summed by the database.
        var postings = from p in db.LedgerPostings.Unscoped(Because.LedgerTotals)
                       join t in db.LedgerTransactions.Unscoped(Because.LedgerTotals) on p.TransactionId equals t.Id
                       where t.CommunityId != null && office.Contains(t.CommunityId.Value) && t.CreatedAt >= f.From && t.CreatedAt < f.To
                       join a in db.TimeBankAccounts.Unscoped(Because.LedgerTotals) on p.AccountId equals a.Id
                       where a.Kind == AccountKind.Resident
                       select new { p.Amount, t.Category };
        var totals = await postings.GroupBy(_ => 1).Select(g => new
        {
            Earned = g.Sum(x => x.Amount > 0 && (x.Category == LedgerCategory.VolunteerService || x.Category == LedgerCategory.EventAttendance
                || x.Category == LedgerCategory.ServiceOrder) ? (long)x.Amount : 0L),
            Spent = g.Sum(x => x.Category == LedgerCategory.Redemption || x.Category == LedgerCategory.RedemptionRefund ? -(long)x.Amount : 0L),
        }).SingleOrDefaultAsync(ct);
        return new TimeBankFigures(hours, totals?.Earned ?? 0, totals?.Spent ?? 0);
    }

    // ---------------------------------------------------------------- votes and notices

    private static async Task<VoteFigures> VotesAsync(NeighbourHubDbContext db, List<long> estates, CancellationToken ct)
    {
        var votes = db.Votes.AsNoTracking().Where(v => estates.Contains(v.EstateId));
        var announced = await votes.CountAsync(v => v.Status == VoteStatus.Announced, ct);
        // Only turnout while a vote is open: never a per-option number (the vote is secret until it closes).
        var open = await votes.Where(v => v.Status == VoteStatus.Open).OrderBy(v => v.ClosesAt)
            .Select(v => new { v.Id, v.Title, v.BallotsCast, v.VotersTotal }).Take(20).ToListAsync(ct);
        return new VoteFigures(announced, open.Count, open.Select(v => new OpenVoteTurnout(v.Id, v.Title, v.BallotsCast, v.VotersTotal, Ratio(v.BallotsCast, v.VotersTotal))).ToList());
    }

    private async Task<NoticeFigures> NoticesAsync(NeighbourHubDbContext db, List<long> estates, List<long> communities, DateTimeOffset now, CancellationToken ct)
    {
        var latest = await db.Notices.AsNoTracking()
            .Where(n => n.WithdrawnAt == null && n.PublishAt <= now && (n.EstateId == null ? communities.Contains(n.CommunityId) : estates.Contains(n.EstateId.Value)))
            .OrderByDescending(n => n.PublishAt).ThenByDescending(n => n.Id).Select(n => new { n.Id, n.Title, n.PublishAt }).FirstOrDefaultAsync(ct);
        if (latest is null)
        {
            return new NoticeFigures(null, null, null, 0, 0, null);
        }

        var reads = await notices.ReadsAsync(db, latest.Id, null, ct);
        return new NoticeFigures(latest.Id, latest.Title, latest.PublishAt, reads.Reachable, reads.Unread, Ratio(reads.Unread, reads.Reachable));
    }

    // ---------------------------------------------------------------- to-do

    /// <summary>
    /// What waits for the caller, each with the console list showing exactly those. Items a role has no part in are left
    /// out here (not a committee member: no approvals); the caller drops those whose page the role may not open.
    /// </summary>
    public static async Task<List<TodoItem>> TodoAsync(NeighbourHubDbContext db, List<long> estates, List<long> communities, DateTimeOffset now, CancellationToken ct)
    {
        var scope = db.Scope.Value;
        var me = scope.AdminUserId ?? -1;
        var items = new List<TodoItem>();
        var single = estates.Count == 1 ? $"estate={estates[0]}" : null;
        // With several estates in view, a per-estate line says which one.
        Dictionary<long, string> names = estates.Count == 1 ? [] : await db.Estates.AsNoTracking().Where(e => estates.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Name, ct);
        string Named(string title, long estate) => estates.Count == 1 ? title : $"{title}（{names.GetValueOrDefault(estate, "")}）";

        items.Add(new TodoItem("residences", "待审核的住户认证",
            await db.Residences.CountAsync(r => r.Status == ResidenceStatus.Pending && estates.Contains(r.EstateId), ct), "/admin/residences"));

        var open = db.Repairs.AsNoTracking().Where(r => estates.Contains(r.EstateId)).Where(Repair.Open);
        // Escalated to me: from my escalations (the AdminUserId index), each repair once, if still open and in view; not
        // one look into the escalations per open repair.
        var escalatedToMe = await db.RepairEscalations.AsNoTracking().Where(e => e.AdminUserId == me && open.Any(r => r.Id == e.RepairId))
            .Select(e => e.RepairId).Distinct().CountAsync(ct);
        // The other repair lines in one pass over the open repairs (the (EstateId, Status, DeadlineAt) index; few rows).
        var repairs = await open.GroupBy(_ => 1).Select(g => new
        {
            Overdue = g.Count(r => r.DeadlineAt < now),
            Unassigned = g.Count(r => r.Status == RepairStatus.Submitted),
            // In my hands, as RepairQueries.InHandOf: assigned to me, not yet resolved.
            Mine = g.Count(r => r.AssigneeId == me && (r.Status == RepairStatus.Assigned || r.Status == RepairStatus.InProgress)),
        }).SingleOrDefaultAsync(ct);
        items.Add(new TodoItem("repairs-escalated", "升级给我的报修", escalatedToMe, "/admin/repairs?filter=escalated"));
        items.Add(new TodoItem("repairs-overdue", "超时未办结的报修", repairs?.Overdue ?? 0, "/admin/repairs?filter=overdue"));
        items.Add(new TodoItem("repairs-unassigned", "待派单的报修", repairs?.Unassigned ?? 0, "/admin/repairs?filter=unassigned"));
        items.Add(new TodoItem("repairs-mine", "我手上的报修", repairs?.Mine ?? 0, "/admin/repairs?filter=mine"));

        var today = ChinaTime.DayOf(now);
        items.Add(new TodoItem("bills-overdue", "逾期未缴的账单",
            await db.Bills.CountAsync(b => estates.Contains(b.EstateId) && b.Status == BillStatus.Unpaid && b.DueDate < today, ct), "/admin/billing/bills?status=overdue"));

        // The fund's two keys: a committee member approves others' proposals; the trustee answers owners' questions.
        var committeeOf = await db.RoleAssignments.AsNoTracking().Where(a => a.AdminUserId == me && a.Role == AdminRole.CommitteeMember && a.EstateId != null)
            .Select(a => a.EstateId!.Value).ToListAsync(ct);
        foreach (var estate in committeeOf.Where(estates.Contains).Order())
        {
            var waiting = await db.FundExpenses.CountAsync(e => e.EstateId == estate && e.Status == ExpenseStatus.Proposed && e.ProposedByAdminId != me
                && !db.ExpenseApprovals.Any(a => a.ExpenseId == e.Id && a.AdminUserId == me), ct);
            items.Add(new TodoItem($"fund-approve-{estate}", Named("待我审批的基金支出", estate), waiting, $"/admin/fund/expenses?estate={estate}"));
        }

        var trusteeOf = await TrusteeEstatesAsync(db, me, estates, today, committeeOf, ct);
        foreach (var estate in trusteeOf)
        {
            var questions = await db.FundQuestions.CountAsync(q => q.EstateId == estate && q.Answer == null && q.Status != QuestionStatus.Refused, ct);
            items.Add(new TodoItem($"fund-questions-{estate}", Named("待答复的业主质询", estate), questions, $"/admin/fund/expenses?estate={estate}"));
        }

        if (TopicBoard.HoldsSorterRole(db))
        {
            items.Add(new TodoItem("topics-open", "待分流的议题",
                await db.Topics.CountAsync(t => estates.Contains(t.EstateId) && t.Status == TopicStatus.Open && !t.Held, ct), Link("/admin/topics?status=open", single)));
            items.Add(new TodoItem("topics-held", "待审核的议题",
                await db.Topics.CountAsync(t => estates.Contains(t.EstateId) && t.Status == TopicStatus.Open && t.Held, ct), Link("/admin/topics?tab=review", single)));
        }

        items.Add(new TodoItem("notices-scheduled", "待发布的公告",
            await db.Notices.CountAsync(n => n.WithdrawnAt == null && n.PublishAt > now && n.EstateId != null && estates.Contains(n.EstateId.Value), ct)
            + await db.Notices.CountAsync(n => n.WithdrawnAt == null && n.PublishAt > now && n.EstateId == null && communities.Contains(n.CommunityId), ct),
            Link("/admin/notices?status=scheduled", single)));

        // Paper and proxy ballots are entered by the vote's organisers while it is open.
        var organises = scope.Has(AdminRole.PlatformAdmin, AdminRole.CommunityAdmin) ? estates : committeeOf.Where(estates.Contains).ToList();
        if (organises.Count > 0)
        {
            var openVotes = await db.Votes.Where(v => v.Status == VoteStatus.Open && organises.Contains(v.EstateId)).GroupBy(v => v.EstateId)
                .Select(g => new { Estate = g.Key, Count = g.Count() }).ToListAsync(ct);
            foreach (var v in openVotes.OrderBy(v => v.Estate))
            {
                items.Add(new TodoItem($"votes-open-{v.Estate}", Named("投票中的表决（可录入纸质选票）", v.Estate), v.Count, $"/admin/votes?estate={v.Estate}&status=open"));
            }
        }

        return items;
    }

    private static string Link(string path, string? estate) => estate is null ? path : $"{path}&{estate}";

    /// <summary>Estates whose fund the caller keeps as trustee: served today by the caller's firm, or self-managed with the caller on the committee.</summary>
    private static async Task<List<long>> TrusteeEstatesAsync(NeighbourHubDbContext db, long me, List<long> estates, DateOnly today, List<long> committeeOf, CancellationToken ct)
    {
        var firms = await db.RoleAssignments.AsNoTracking().Where(a => a.AdminUserId == me && a.Role == AdminRole.FirmStaff && a.PropertyFirmId != null)
            .Select(a => a.PropertyFirmId!.Value).ToListAsync(ct);
        var contracts = await db.EstateFirmContracts.AsNoTracking().Unscoped(Because.StaffOfAnEstateInScope)
            .Where(c => estates.Contains(c.EstateId)).Where(EstateFirmContract.ActiveOn(today)).Select(c => new { c.EstateId, c.PropertyFirmId }).ToListAsync(ct);
        return estates.Where(e => contracts.Any(c => c.EstateId == e && firms.Contains(c.PropertyFirmId))
            || (committeeOf.Contains(e) && contracts.All(c => c.EstateId != e))).Order().ToList();
    }
}
