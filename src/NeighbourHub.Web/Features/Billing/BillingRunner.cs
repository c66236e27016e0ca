using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Billing;

public sealed record BillingRunResult(long RunId, int Households, int BillsCreated, long TotalFen, string Message);

/// <summary>
/// Bill runs (开账): one bill per household × applicable fee item for (estate, period). Households are read
/// in chunks; each chunk's bills go in as multi-row INSERT IGNORE statements against the unique key
/// (household, item, period), so a second run — or two at once — creates nothing twice. Progress is
/// written to the <see cref="BillingRun"/> row after every chunk for the console to show.
/// </summary>
public sealed class BillingRunner(IDbContextFactory<NeighbourHubDbContext> contexts, TimeProvider clock, ILogger<BillingRunner> log)
{
    private const int HouseholdsPerChunk = 5000;
    private const int RowsPerStatement = 1000;

    /// <summary>Records the run (checking the caller may bill this estate) and returns its id; <see cref="RunAsync"/> does the work.</summary>
    public async Task<BillingRun> StartAsync(NeighbourHubDbContext db, long estateId, BillingPeriod period, CancellationToken ct)
    {
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("Estate");
        }

        var run = new BillingRun
        {
            EstateId = estateId,
            Period = period.ToString(),
            Status = BillingRunStatus.Running,
            Households = await db.Households.CountAsync(h => h.EstateId == estateId, ct),
            StartedBy = db.Scope.Value.ActorName,
            StartedAt = clock.StorableNow(),
        };
        db.BillingRuns.Add(run);
        await db.SaveChangesAsync(ct);
        return run;
    }

    public async Task<BillingRunResult> RunAsync(long runId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System); // the caller's scope was checked in StartAsync
        var run = await db.BillingRuns.SingleAsync(r => r.Id == runId, ct);
        try
        {
            var result = await InsertBillsAsync(db, run, ct);
            await db.BillingRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, BillingRunStatus.Completed).SetProperty(r => r.Processed, run.Households)
                .SetProperty(r => r.BillsCreated, result.BillsCreated).SetProperty(r => r.TotalFen, result.TotalFen)
                .SetProperty(r => r.FinishedAt, clock.StorableNow()), ct);
            log.LogInformation("Bill run {Run} for estate {Estate} {Period}: {Bills} bills, {Fen} fen", runId, run.EstateId, run.Period, result.BillsCreated, result.TotalFen);
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "Bill run {Run} failed", runId);
            var error = e.Message.Length > 500 ? e.Message[..500] : e.Message;
            await db.BillingRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(u => u
                .SetProperty(r => r.Status, BillingRunStatus.Failed).SetProperty(r => r.Error, error)
                .SetProperty(r => r.FinishedAt, clock.StorableNow()), CancellationToken.None);
            throw;
        }
    }

    private async Task<BillingRunResult> InsertBillsAsync(NeighbourHubDbContext db, BillingRun run, CancellationToken ct)
    {
        if (!BillingPeriod.TryParse(run.Period, out var period))
        {
            throw new InvalidOperationException($"Bill run {run.Id} has an invalid period {run.Period}.");
        }

        var items = (await db.FeeItems.AsNoTracking().Where(f => f.EstateId == run.EstateId).ToListAsync(ct)).Where(f => f.AppliesTo(period)).ToList();
        if (items.Count == 0)
        {
            return new BillingRunResult(run.Id, run.Households, 0, 0, $"No fee item applies to {run.Period}; add fee items first.");
        }

        var itemIds = items.Select(i => i.Id).ToList();
        var exempt = (await db.FeeExemptions.AsNoTracking().Where(x => itemIds.Contains(x.FeeItemId)).Select(x => new { x.FeeItemId, x.HouseholdId }).ToListAsync(ct))
            .Select(x => (x.FeeItemId, x.HouseholdId)).ToHashSet();
        var mySql = db is MySqlNeighbourHubDbContext;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            long lastId = 0;
            var processed = 0;
            while (true)
            {
                var households = await db.Households.AsNoTracking().Where(h => h.EstateId == run.EstateId && h.Id > lastId).OrderBy(h => h.Id)
                    .Take(HouseholdsPerChunk).Select(h => new { h.Id, h.AreaM2 }).ToListAsync(ct);
                if (households.Count == 0)
                {
                    break;
                }

                var rows = (from h in households
                            from item in items
                            where !exempt.Contains((item.Id, h.Id))
                            select (HouseholdId: h.Id, Item: item, Amount: item.AmountFor(h.AreaM2))).ToList();
                foreach (var chunk in rows.Chunk(RowsPerStatement))
                {
                    await InsertAsync(connection, mySql, run, period, items, chunk, ct);
                }

                lastId = households[^1].Id;
                processed += households.Count;
                await db.BillingRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.Processed, processed), ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        var created = await db.Bills.Where(b => b.BillingRunId == run.Id).GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Total = g.Sum(b => b.AmountFen) }).SingleOrDefaultAsync(ct);
        var count = created?.Count ?? 0;
        var message = count == 0
            ? $"No new bills: every household already has its {run.Period} bills (this run created nothing)."
            : $"Created {count} bills for {run.Period}.";
        return new BillingRunResult(run.Id, run.Households, count, created?.Total ?? 0, message);
    }

    /// <summary>One multi-row INSERT that skips rows whose (household, item, period) already exists.</summary>
    private async Task InsertAsync(DbConnection connection, bool mySql, BillingRun run, BillingPeriod period, List<FeeItem> items,
        (long HouseholdId, FeeItem Item, long Amount)[] rows, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        var sql = new StringBuilder(mySql ? "INSERT IGNORE INTO Bills " : "INSERT OR IGNORE INTO Bills ");
        sql.Append("(EstateId, HouseholdId, FeeItemId, Period, FeeItemName, AmountFen, DueDate, Status, RefundedFen, CreatedAt, BillingRunId) VALUES ");
        Add(cmd, "@period", run.Period);
        Add(cmd, "@now", clock.StorableNow());
        foreach (var item in items)
        {
            Add(cmd, $"@n{item.Id}", item.Name);
            Add(cmd, $"@d{item.Id}", period.DueDate(item.DueDay));
        }

        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < rows.Length; i++)
        {
            var (household, item, amount) = rows[i];
            // Numbers are written inline (they are longs we computed); every text goes in as a parameter.
            sql.Append(i == 0 ? "" : ",").Append(inv, $"({run.EstateId},{household},{item.Id},@period,@n{item.Id},{amount},@d{item.Id},'Unpaid',0,@now,{run.Id})");
        }

        cmd.CommandText = sql.ToString();
        cmd.CommandTimeout = 120;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }
}
