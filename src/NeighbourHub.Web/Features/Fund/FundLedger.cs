using Microsoft.EntityFrameworkCore;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>An entry to append; seq, time and estate are the ledger's to give. <paramref name="RecordedBy"/>: the staff member as residents read them (<see cref="FundRole.Name"/>); none for entries that follow from a payment.</summary>
public sealed record EntryDraft(
    FundEntryKind Kind,
    long AmountFen,
    string Category,
    string Memo,
    string Counterparty,
    string SourceKey,
    long? BudgetLineId = null,
    long? ExpenseId = null,
    IReadOnlyList<string>? AttachmentSha256s = null,
    string? RecordedBy = null);

/// <summary>
/// The only writer of <see cref="FundEntry"/> and <see cref="FundAccount"/> (ADR 0007). Appends happen under the
/// estate log's row lock, inside the caller's transaction: seq has no gaps, each head extends the one before,
/// the balance moves with the entries, and a source already in the ledger appends nothing.
/// </summary>
public sealed class FundLedger(TransparencyLogs logs, TimeProvider clock)
{
    public const string LogKind = "fund";

    public TransparencyLogs Logs => logs;

    /// <summary>The estate's fund, opened with its empty log the first time anyone needs it.</summary>
    public async Task<FundAccount> OpenAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        if (await db.FundAccounts.AsNoTracking().SingleOrDefaultAsync(f => f.EstateId == estateId, ct) is { } fund)
        {
            return fund;
        }

        var log = await logs.OpenAsync(db, LogKind, estateId, ct);
        var created = new FundAccount { EstateId = estateId, LogId = log.Id, CreatedAt = clock.StorableNow() };
        db.FundAccounts.Add(created);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request opened it at the same moment: use theirs.
            db.Entry(created).State = EntityState.Detached;
            return await db.FundAccounts.AsNoTracking().SingleAsync(f => f.EstateId == estateId, ct);
        }

        // Only this row leaves the change tracker: a caller's own pending changes stay.
        db.Entry(created).State = EntityState.Detached;
        return created;
    }

    /// <summary>
    /// Appends the drafts in order. Drafts whose source is already in the ledger are skipped (their existing
    /// entries are returned instead). With <paramref name="mayOverdraw"/> false, an append that would take the
    /// balance below zero is refused (409) and nothing is written.
    /// </summary>
    public async Task<IReadOnlyList<FundEntry>> AppendAsync(NeighbourHubDbContext db, long estateId, IReadOnlyList<EntryDraft> drafts, bool mayOverdraw,
        CancellationToken ct)
    {
        // A redelivered event is common (outbox retries, several instances): answer it without taking the log's lock.
        var sources = drafts.Select(d => d.SourceKey).ToList();
        var recorded = await db.FundEntries.AsNoTracking().Where(e => sources.Contains(e.SourceKey)).ToListAsync(ct);
        return recorded.Count == drafts.Count ? recorded : await AppendAsync(db, estateId, () => Task.FromResult(drafts), mayOverdraw, ct);
    }

    /// <summary>
    /// As above, with drafts that depend on what is already in the ledger: <paramref name="draftsUnderLock"/> runs
    /// while the estate's log is locked, so what it reads cannot change before its entries are appended.
    /// </summary>
    public async Task<IReadOnlyList<FundEntry>> AppendAsync(NeighbourHubDbContext db, long estateId, Func<Task<IReadOnlyList<EntryDraft>>> draftsUnderLock,
        bool mayOverdraw, CancellationToken ct)
    {
        var fund = await OpenAsync(db, estateId, ct);
        var log = await db.TransparencyLogs.AsNoTracking().SingleAsync(l => l.Id == fund.LogId, ct);
        var owned = db.Database.CurrentTransaction is null;
        await using var tx = owned ? await TransparencyLogs.BeginAppendingAsync(db, ct) : null;

        var size = await logs.LockAsync(db, log.Id, ct);
        var drafts = await draftsUnderLock();
        var sources = drafts.Select(d => d.SourceKey).ToList();
        var existing = await db.FundEntries.AsNoTracking().Where(e => sources.Contains(e.SourceKey)).ToListAsync(ct);
        var fresh = drafts.Where(d => existing.All(e => e.SourceKey != d.SourceKey)).ToList();
        if (fresh.Count == 0)
        {
            return existing;
        }

        var balance = await db.FundAccounts.Where(f => f.EstateId == estateId).Select(f => f.BalanceFen).SingleAsync(ct);
        var change = fresh.Sum(d => d.AmountFen);
        if (!mayOverdraw && balance + change < 0)
        {
            throw new ConflictException($"基金余额 {Billing.Money.Yuan(balance)} 元，不足以支付 {Billing.Money.Yuan(-change)} 元，本次没有入账。");
        }

        // Whole seconds, never before the entry ahead of it: the leaf holds this exact instant.
        var now = clock.GetUtcNow();
        var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var last = await db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId)
            .OrderByDescending(e => e.Seq).Select(e => (DateTimeOffset?)e.At).FirstOrDefaultAsync(ct);
        if (last is { } l && l > at)
        {
            at = l;
        }

        var entries = fresh.Select((d, i) => new FundEntry
        {
            EstateId = estateId,
            Seq = size + i,
            At = at,
            Kind = d.Kind,
            AmountFen = d.AmountFen,
            Category = d.Category,
            BudgetLineId = d.BudgetLineId,
            Memo = d.Memo,
            Counterparty = d.Counterparty,
            AttachmentSha256s = string.Join(',', d.AttachmentSha256s ?? []),
            ExpenseId = d.ExpenseId,
            SourceKey = d.SourceKey,
            RecordedBy = d.RecordedBy ?? "系统",
        }).ToList();

        await logs.AppendAsync(db, log, size, entries.Select(FundLeaf.Hash).ToList(), ct);
        db.FundEntries.AddRange(entries);
        await db.FundAccounts.Where(f => f.EstateId == estateId)
            .ExecuteUpdateAsync(u => u.SetProperty(f => f.BalanceFen, f => f.BalanceFen + change), ct);
        await db.SaveChangesAsync(ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        foreach (var kind in entries.GroupBy(e => e.Kind))
        {
            ProductMetrics.FundAppended(kind.Key.ToString(), kind.Count());
        }

        return [.. existing, .. entries];
    }

    /// <summary>The committee sets the trustee's share; it applies to fee income collected from now on.</summary>
    public async Task SetRemunerationAsync(NeighbourHubDbContext db, long estateId, int basisPoints, CancellationToken ct)
    {
        await OpenAsync(db, estateId, ct);
        var before = await db.FundAccounts.AsNoTracking().Where(f => f.EstateId == estateId).Select(f => f.RemunerationBp).SingleAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.FundAccounts.Where(f => f.EstateId == estateId).ExecuteUpdateAsync(u => u.SetProperty(f => f.RemunerationBp, basisPoints), ct);
        db.Audit("fund.remuneration", nameof(FundAccount), estateId.ToString(System.Globalization.CultureInfo.InvariantCulture), new { before, after = basisPoints });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Remuneration on fee income: rounded down to the fen, so any fraction stays with the owners.</summary>
    public static long RemunerationOf(long feeFen, int basisPoints) => feeFen * basisPoints / 10_000;

    /// <summary>
    /// The remuneration given back when part of a payment is refunded: the trustee keeps the remuneration's share
    /// of what remains (rounded down), so after any series of refunds it holds exactly
    /// floor(remaining × remuneration / income) — nothing is lost or gained to rounding.
    /// </summary>
    public static long RemunerationRefundOf(long incomeFen, long remunerationFen, long refundedBeforeFen, long refundFen) =>
        incomeFen == 0 ? 0
            : ((incomeFen - refundedBeforeFen) * remunerationFen / incomeFen) - ((incomeFen - refundedBeforeFen - refundFen) * remunerationFen / incomeFen);
}
