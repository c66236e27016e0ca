using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Billing;

public sealed record BillingRunResult(long RunId, int Households, int BillsCreated, long TotalFen, string Message);

/// <summary>
/// Bill runs (开账): one bill per household × applicable fee item for (estate, period). Households are read
/// in chunks; <see cref="BillLedger.IssueAsync"/> writes each chunk's bills so that a second run — or two at
/// once — creates nothing twice. Progress is written to the <see cref="BillingRun"/> row after every chunk
/// for the console to show.
/// </summary>
public sealed class BillingRunner(IDbContextFactory<NeighbourHubDbContext> contexts, TimeProvider clock, ILogger<BillingRunner> log)
{
    private const int HouseholdsPerChunk = 5000;

    /// <summary>The API's and the console's way in: the request's checks, then <see cref="StartAsync(NeighbourHubDbContext, long, BillingPeriod, CancellationToken)"/>.</summary>
    public Task<BillingRun> StartAsync(NeighbourHubDbContext db, RunBody body, CancellationToken ct)
    {
        var v = new Validation().Positive("estateId", body.EstateId).When(!BillingPeriod.TryParse(body.Period, out var period), "period", "账期格式应为 2026-11。");
        return v.IsValid ? StartAsync(db, body.EstateId!.Value, period, ct) : throw new RequestValidationException(v);
    }

    /// <summary>Records the run (checking the caller may bill this estate) and returns its id; <see cref="RunAsync"/> does the work.</summary>
    public async Task<BillingRun> StartAsync(NeighbourHubDbContext db, long estateId, BillingPeriod period, CancellationToken ct)
    {
        if (!await db.Estates.AnyAsync(e => e.Id == estateId, ct))
        {
            throw new NotFoundException("小区");
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
            return new BillingRunResult(run.Id, run.Households, 0, 0, $"{run.Period} 没有适用的收费项目，请先添加收费项目。");
        }

        var itemIds = items.Select(i => i.Id).ToList();
        var exempt = (await db.FeeExemptions.AsNoTracking().Where(x => itemIds.Contains(x.FeeItemId)).Select(x => new { x.FeeItemId, x.HouseholdId }).ToListAsync(ct))
            .Select(x => (x.FeeItemId, x.HouseholdId)).ToHashSet();
        long lastId = 0;
        var processed = 0;
        var createdAt = clock.StorableNow();
        while (true)
        {
            var households = await db.Households.AsNoTracking().Where(h => h.EstateId == run.EstateId && h.Id > lastId).OrderBy(h => h.Id)
                .Take(HouseholdsPerChunk).Select(h => new { h.Id, h.AreaM2 }).ToListAsync(ct);
            if (households.Count == 0)
            {
                break;
            }

            var bills = (from h in households
                         from item in items
                         where !exempt.Contains((item.Id, h.Id))
                         select new NewBill(h.Id, item, item.AmountFor(h.AreaM2))).ToList();
            await BillLedger.IssueAsync(db, run, period, bills, createdAt, ct);
            lastId = households[^1].Id;
            processed += households.Count;
            await db.BillingRuns.Where(r => r.Id == run.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.Processed, processed), ct);
        }

        var created = await db.Bills.Where(b => b.BillingRunId == run.Id).GroupBy(_ => 1)
            .Select(g => new { Count = g.Count(), Total = g.Sum(b => b.AmountFen) }).SingleOrDefaultAsync(ct);
        var count = created?.Count ?? 0;
        var message = count == 0
            ? $"没有新账单：各户 {run.Period} 的账单都已存在（本次开账没有生成账单）。"
            : $"已生成 {run.Period} 账单 {count} 张。";
        return new BillingRunResult(run.Id, run.Households, count, created?.Total ?? 0, message);
    }
}
