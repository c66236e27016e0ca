using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.TimeBank;

public sealed class TimeBankOptions
{
    public const string SectionName = "TimeBank";

    /// <summary>How far a community pool may go below zero: the points it may issue before staff top it up.</summary>
    public int PoolFloor { get; set; } = -1_000_000;
}

/// <summary>A posting to make: which account, how many points (+ credit, − debit).</summary>
public sealed record Movement(long AccountId, int Amount);

/// <summary>Not enough points (or the pool reached its floor): nothing was written.</summary>
public sealed class InsufficientPointsException(long accountId) : Exception("Not enough points.")
{
    public long AccountId { get; } = accountId;
}

/// <summary>Another request with the same source reference committed first; retry to read its result.</summary>
public sealed class ConcurrentReplayException() : Exception("The same operation committed concurrently.");

/// <summary>
/// The double-entry ledger. The ledger acts for the system: callers decide who may move which points,
/// so its reads and conditional updates ignore the tenancy filters (a donation must credit an account
/// the donor cannot see).
/// </summary>
public sealed class TimeBankLedger(TimeProvider clock, IOptions<TimeBankOptions> options)
{
    public Task<TimeBankAccount> ResidentAccountAsync(NeighbourHubDbContext db, long residentId, CancellationToken ct) =>
        AccountAsync(db, TimeBankAccount.ResidentKey(residentId),
            () => new TimeBankAccount { Kind = AccountKind.Resident, ResidentId = residentId, Floor = 0, OwnerKey = TimeBankAccount.ResidentKey(residentId) }, ct);

    public Task<TimeBankAccount> PoolAsync(NeighbourHubDbContext db, long communityId, CancellationToken ct) =>
        AccountAsync(db, TimeBankAccount.PoolKey(communityId),
            () => new TimeBankAccount { Kind = AccountKind.CommunityPool, CommunityId = communityId, Floor = options.Value.PoolFloor, OwnerKey = TimeBankAccount.PoolKey(communityId) }, ct);

    public Task<TimeBankAccount> EscrowAsync(NeighbourHubDbContext db, long communityId, CancellationToken ct) =>
        AccountAsync(db, TimeBankAccount.EscrowKey(communityId),
            () => new TimeBankAccount { Kind = AccountKind.Escrow, CommunityId = communityId, Floor = 0, OwnerKey = TimeBankAccount.EscrowKey(communityId) }, ct);

    /// <summary>Finds or creates an account; its unique owner key makes a racing creation harmless.</summary>
    private static async Task<TimeBankAccount> AccountAsync(NeighbourHubDbContext db, string key, Func<TimeBankAccount> create, CancellationToken ct)
    {
        var found = await db.TimeBankAccounts.Unscoped(Because.UniqueKeysSpanAllRows).AsNoTracking().SingleOrDefaultAsync(a => a.OwnerKey == key, ct);
        if (found is not null)
        {
            return found;
        }

        // Created outside any transaction: inside one, a racing creator's row could be invisible to our snapshot.
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("Open accounts before starting the transaction.");
        }

        var account = create();
        db.TimeBankAccounts.Add(account);
        try
        {
            await db.SaveChangesAsync(ct);
            db.Entry(account).State = EntityState.Detached;
            return account;
        }
        catch (DbUpdateException)
        {
            db.Entry(account).State = EntityState.Detached;
            return await db.TimeBankAccounts.Unscoped(Because.UniqueKeysSpanAllRows).AsNoTracking().SingleAsync(a => a.OwnerKey == key, ct);
        }
    }

    /// <summary>
    /// Records one transaction inside the caller's database transaction. Returns the existing one when
    /// <paramref name="sourceRef"/> was already recorded (idempotency). Balances move by conditional
    /// updates, in account-id order (no deadlocks), each refusing to cross the account's floor.
    /// </summary>
    public async Task<(LedgerTransaction Transaction, bool Created)> PostAsync(NeighbourHubDbContext db, string sourceRef, LedgerCategory category,
        long? communityId, string memo, long? approvedByAdminId, IReadOnlyList<Movement> movements, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Ledger postings must run inside a database transaction.");
        }

        if (movements.Count < 2 || movements.Sum(m => (long)m.Amount) != 0 || movements.Any(m => m.Amount == 0))
        {
            throw new InvalidOperationException("A ledger transaction needs two or more non-zero postings that sum to zero.");
        }

        var existing = await db.LedgerTransactions.Unscoped(Because.IdempotentReplay).AsNoTracking().SingleOrDefaultAsync(t => t.SourceRef == sourceRef, ct);
        if (existing is not null)
        {
            return (existing, false);
        }

        // The transaction row goes first: its unique SourceRef stops a racing duplicate before any balance moves.
        var transaction = new LedgerTransaction
        {
            SourceRef = sourceRef,
            Category = category,
            CommunityId = communityId,
            Memo = memo,
            CreatedAt = clock.GetUtcNow(),
            ApprovedByAdminId = approvedByAdminId,
        };
        db.LedgerTransactions.Add(transaction);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.Entry(transaction).State = EntityState.Detached;
            throw new ConcurrentReplayException();
        }

        foreach (var m in movements.OrderBy(m => m.AccountId))
        {
            var credit = Math.Max(m.Amount, 0);
            var debit = Math.Max(-m.Amount, 0);
            var moved = await db.TimeBankAccounts.Unscoped(Because.PointsMoveBetweenScopes)
                .Where(a => a.Id == m.AccountId && a.Balance + m.Amount >= a.Floor)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(a => a.Balance, a => a.Balance + m.Amount)
                    .SetProperty(a => a.EarnedTotal, a => a.EarnedTotal + credit)
                    .SetProperty(a => a.SpentTotal, a => a.SpentTotal + debit), ct);
            if (moved == 0)
            {
                throw new InsufficientPointsException(m.AccountId);
            }
        }

        db.LedgerPostings.AddRange(movements.Select(m => new LedgerPosting { TransactionId = transaction.Id, AccountId = m.AccountId, Amount = m.Amount }));
        await db.SaveChangesAsync(ct);
        return (transaction, true);
    }

    /// <summary>
    /// Runs an idempotent ledger operation in its own transaction: rolled back entirely on any error,
    /// and retried once when a concurrent twin committed first, so the replay reads the twin's result.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(NeighbourHubDbContext db, Func<Task<T>> operation, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var result = await operation();
                await tx.CommitAsync(ct);
                return result;
            }
            catch (ConcurrentReplayException) when (attempt == 0)
            {
                db.ChangeTracker.Clear();
            }
            catch (Exception e) when (attempt < 2 && DatabaseCollisions.IsCollision(e))
            {
                // A deadlock rolled the whole transaction back; running it again is safe.
                db.ChangeTracker.Clear();
            }
            catch (InsufficientPointsException)
            {
                db.ChangeTracker.Clear();
                throw new ConflictException("积分余额不足。");
            }
        }
    }

    public sealed record VerificationResult(bool Valid, int Transactions, int Accounts, long PostingsSum, IReadOnlyList<string> Problems);

    /// <summary>Every transaction sums to zero, all postings sum to zero, and every cached balance equals its postings.</summary>
    public static async Task<VerificationResult> VerifyAsync(NeighbourHubDbContext db, CancellationToken ct)
    {
        var postings = db.LedgerPostings.Unscoped(Because.LedgerTotals);
        var unbalanced = await postings.GroupBy(p => p.TransactionId).Where(g => g.Sum(p => p.Amount) != 0).Select(g => g.Key).Take(20).ToListAsync(ct);
        var total = await postings.SumAsync(p => (long)p.Amount, ct);
        var sums = await postings.GroupBy(p => p.AccountId).Select(g => new { g.Key, Sum = g.Sum(p => p.Amount) }).ToDictionaryAsync(x => x.Key, x => x.Sum, ct);
        var accounts = await db.TimeBankAccounts.Unscoped(Because.LedgerTotals).AsNoTracking().ToListAsync(ct);
        var problems = unbalanced.Select(t => $"交易 {t} 的分录合计不为 0").ToList();
        if (total != 0)
        {
            problems.Add($"全部分录合计为 {total}，不为 0");
        }

        var wrong = accounts.Where(a => sums.GetValueOrDefault(a.Id) != a.Balance || a.Balance < a.Floor).ToList();
        // Named as the console names accounts ("社区积分池 · 河东社区", "居民 张**（…）"), never by their internal keys.
        var names = await TimeBankQueries.AccountNamesAsync(db, wrong.Select(a => a.Id), ct);
        foreach (var a in wrong)
        {
            var sum = sums.GetValueOrDefault(a.Id);
            var name = names.GetValueOrDefault(a.Id, "账户");
            if (sum != a.Balance)
            {
                problems.Add($"{name} 记录的余额为 {a.Balance}，但分录合计为 {sum}");
            }

            if (a.Balance < a.Floor)
            {
                problems.Add($"{name} 的余额低于下限");
            }
        }

        var transactions = await db.LedgerTransactions.Unscoped(Because.LedgerTotals).CountAsync(ct);
        return new VerificationResult(problems.Count == 0, transactions, accounts.Count, total, problems);
    }
}
