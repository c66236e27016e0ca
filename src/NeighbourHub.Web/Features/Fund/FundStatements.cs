using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

public sealed record CategoryTotal(string Category, string Name, long AmountFen);

public sealed record LineTotal(long? BudgetLineId, string Name, long SpentFen);

/// <summary>A month's statement as the API, the console page and the .xlsx show it.</summary>
public sealed record StatementView(
    long EstateId,
    string EstateName,
    string Month,
    bool Final,
    long OpeningFen,
    long IncomeFen,
    long RemunerationFen,
    long ExpenseFen,
    long ReversalFen,
    long ClosingFen,
    long FirstSeq,
    long EntryCount,
    IReadOnlyList<CategoryTotal> Income,
    IReadOnlyList<LineTotal> Expenses,
    FundHead Head,
    DateTimeOffset MadeAt);

/// <summary>
/// Monthly statements: opening balance, income by category, remuneration, expenses by budget line, reversals,
/// closing balance and the signed head at month end. A finished month is made once and kept
/// (<see cref="FundStatementJob"/>); the current month is computed on demand and marked provisional.
/// </summary>
public sealed class FundStatements(FundLedger ledger, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Breakdown(IReadOnlyList<CategoryTotal> Income, IReadOnlyList<LineTotal> Expenses);

    public static bool TryParseMonth(string? text, out int year, out int month)
    {
        year = month = 0;
        return text is { Length: 7 } && text[4] == '-'
            && int.TryParse(text[..4], NumberStyles.None, CultureInfo.InvariantCulture, out year) && year is >= 2000 and <= 2100
            && int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out month) && month is >= 1 and <= 12;
    }

    /// <summary>Months that have a statement or could have one (from the fund's first month to this one), newest first.</summary>
    public async Task<List<string>> MonthsAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        var first = await db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId).OrderBy(e => e.Seq).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
        var months = new List<string>();
        if (first is null)
        {
            return months;
        }

        var cursor = ChinaTime.StartOfMonth(clock.GetUtcNow());
        var start = ChinaTime.StartOfMonth(first.Value);
        while (cursor >= start && months.Count < 120)
        {
            months.Add(ChinaTime.MonthKey(cursor));
            cursor = cursor.AddMonths(-1);
        }

        return months;
    }

    /// <summary>The stored statement of an ended month, made now if the job has not got to it; the current month live.</summary>
    public async Task<StatementView?> GetAsync(NeighbourHubDbContext db, long estateId, int year, int month, CancellationToken ct)
    {
        var start = ChinaTime.StartOfMonth(year, month);
        var now = clock.GetUtcNow();
        if (start > now)
        {
            return null;
        }

        var name = await db.Estates.Where(e => e.Id == estateId).Select(e => e.Name).SingleAsync(ct);
        var key = ChinaTime.MonthKey(start);
        if (start.AddMonths(1) > now)
        {
            return await ComputeAsync(db, estateId, name, year, month, final: false, ct);
        }

        var stored = await db.FundStatements.AsNoTracking().SingleOrDefaultAsync(s => s.EstateId == estateId && s.Month == key, ct)
            ?? await MakeAsync(db, estateId, year, month, ct);
        return stored is null ? null : View(stored, name);
    }

    /// <summary>Makes and keeps the statement of an ended month; of instances racing, one row wins and all return it.</summary>
    public async Task<FundStatement?> MakeAsync(NeighbourHubDbContext db, long estateId, int year, int month, CancellationToken ct)
    {
        var name = await db.Estates.Where(e => e.Id == estateId).Select(e => e.Name).SingleAsync(ct);
        var view = await ComputeAsync(db, estateId, name, year, month, final: true, ct);
        var key = ChinaTime.MonthKey(ChinaTime.StartOfMonth(year, month));
        var row = new FundStatement
        {
            EstateId = estateId,
            Month = key,
            OpeningFen = view.OpeningFen,
            ClosingFen = view.ClosingFen,
            IncomeFen = view.IncomeFen,
            RemunerationFen = view.RemunerationFen,
            ExpenseFen = view.ExpenseFen,
            ReversalFen = view.ReversalFen,
            FirstSeq = view.FirstSeq,
            EntryCount = view.EntryCount,
            BreakdownJson = JsonSerializer.Serialize(new Breakdown(view.Income, view.Expenses), Json),
            HeadTreeSize = view.Head.TreeSize,
            HeadRootHash = view.Head.RootHash,
            HeadTimestamp = view.Head.Timestamp,
            HeadKeyId = view.Head.KeyId,
            HeadSignature = view.Head.Signature,
            MadeAt = clock.StorableNow(),
        };
        db.FundStatements.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance made it first: theirs is the statement.
            db.Entry(row).State = EntityState.Detached;
            return await db.FundStatements.AsNoTracking().SingleOrDefaultAsync(s => s.EstateId == estateId && s.Month == key, ct);
        }

        db.Entry(row).State = EntityState.Detached;
        return row;
    }

    private async Task<StatementView> ComputeAsync(NeighbourHubDbContext db, long estateId, string estateName, int year, int month, bool final, CancellationToken ct)
    {
        // UTC instants: what the column holds on both providers.
        var start = ChinaTime.StartOfMonth(year, month).ToUniversalTime();
        var end = ChinaTime.StartOfMonth(year, month).AddMonths(1).ToUniversalTime();
        var fund = await ledger.OpenAsync(db, estateId, ct);
        var opening = await db.FundEntries.Where(e => e.EstateId == estateId && e.At < start).SumAsync(e => (long?)e.AmountFen, ct) ?? 0;
        var entries = await db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId && e.At >= start && e.At < end)
            .Select(e => new { e.Seq, e.Kind, e.Category, e.AmountFen, e.BudgetLineId }).ToListAsync(ct);
        var lineIds = entries.Where(e => e.BudgetLineId is not null).Select(e => e.BudgetLineId!.Value).Distinct().ToList();
        var lineNames = await db.FundBudgetLines.AsNoTracking().Where(l => lineIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, ct);

        var income = entries.Where(e => e.Kind == FundEntryKind.Income).GroupBy(e => e.Category)
            .Select(g => new CategoryTotal(g.Key, FundCategories.Text(g.Key), g.Sum(e => e.AmountFen))).OrderByDescending(c => c.AmountFen).ToList();
        var expenses = entries.Where(e => e.Kind == FundEntryKind.Expense).GroupBy(e => e.BudgetLineId)
            .Select(g => new LineTotal(g.Key, g.Key is { } id && lineNames.TryGetValue(id, out var n) ? n : "预算外", -g.Sum(e => e.AmountFen)))
            .OrderByDescending(l => l.SpentFen).ToList();

        // The head at month end covers exactly the entries before it: seq follows time, so that is every entry up to the month's last.
        var sizeAtEnd = final
            ? await db.FundEntries.CountAsync(e => e.EstateId == estateId && e.At < end, ct)
            : await db.TransparencyLogs.Where(l => l.Id == fund.LogId).Select(l => l.Size).SingleAsync(ct);
        var head = await ledger.Logs.HeadAsync(db, fund.LogId, sizeAtEnd, ct)
            ?? throw new InvalidOperationException($"Fund log of estate {estateId} has no head of size {sizeAtEnd}.");
        var sum = (FundEntryKind kind) => entries.Where(e => e.Kind == kind).Sum(e => e.AmountFen);
        return new StatementView(estateId, estateName, ChinaTime.MonthKey(start), final, opening, sum(FundEntryKind.Income), -sum(FundEntryKind.Remuneration),
            -sum(FundEntryKind.Expense), sum(FundEntryKind.Reversal), opening + entries.Sum(e => e.AmountFen),
            entries.Count == 0 ? sizeAtEnd : entries.Min(e => e.Seq), entries.Count, income, expenses, FundHead.Of(head, estateId), clock.GetUtcNow());
    }

    public static StatementView View(FundStatement s, string estateName)
    {
        var breakdown = JsonSerializer.Deserialize<Breakdown>(s.BreakdownJson, Json)!;
        return new StatementView(s.EstateId, estateName, s.Month, true, s.OpeningFen, s.IncomeFen, s.RemunerationFen, s.ExpenseFen, s.ReversalFen, s.ClosingFen,
            s.FirstSeq, s.EntryCount, breakdown.Income, breakdown.Expenses,
            new FundHead(s.EstateId, s.HeadTreeSize, s.HeadRootHash, s.HeadTimestamp, s.HeadKeyId, s.HeadSignature), s.MadeAt);
    }
}

/// <summary>
/// After each month ends (China time), makes every fund's statement of that month. Every instance runs it; the
/// unique (estate, month) row makes the work happen once, whoever gets there first.
/// </summary>
public sealed class FundStatementJob(
    IDbContextFactory<NeighbourHubDbContext> contexts,
    FundStatements statements,
    IOptions<FundOptions> options,
    TimeProvider clock,
    ILogger<FundStatementJob> log) : PeriodicJob(clock, log)
{
    protected override double IntervalSeconds => options.Value.StatementPollMinutes * 60;

    protected override Task RunTickAsync(CancellationToken ct) => RunOnceAsync(ct);

    /// <summary>Makes the missing statements of ended months; returns how many it made.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        await using var db = contexts.CreateDbContext();
        db.Scope = CurrentScope.For(AccessScope.System);
        var lastMonthStart = ChinaTime.StartOfMonth(Clock.GetUtcNow()).AddMonths(-1);
        var funds = await db.FundAccounts.AsNoTracking().Select(f => f.EstateId).ToListAsync(ct);
        var made = 0;
        foreach (var estateId in funds)
        {
            var first = await db.FundEntries.Where(e => e.EstateId == estateId).OrderBy(e => e.Seq).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
            if (first is null)
            {
                continue;
            }

            var have = (await db.FundStatements.Where(s => s.EstateId == estateId).Select(s => s.Month).ToListAsync(ct)).ToHashSet();
            for (var month = ChinaTime.StartOfMonth(first.Value); month <= lastMonthStart; month = month.AddMonths(1))
            {
                if (!have.Contains(ChinaTime.MonthKey(month)))
                {
                    await statements.MakeAsync(db, estateId, month.Year, month.Month, ct);
                    made++;
                }
            }
        }

        if (made > 0)
        {
            log.LogInformation("Made {Count} fund statement(s)", made);
        }

        return made;
    }
}
