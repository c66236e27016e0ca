using System.Collections.Concurrent;
using System.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Tenancy;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

public sealed record AttachmentView(string Id, string Name, string Url, string Sha256);

public sealed record EntryView(long Seq, DateTimeOffset At, string Kind, string KindName, long AmountFen, string Category, string CategoryName, long? BudgetLineId,
    string Memo, string Counterparty, IReadOnlyList<AttachmentView> Attachments, long? ExpenseId, string LeafHash, string RecordedBy);

public sealed record InclusionView(long TreeSize, IReadOnlyList<string> Path);

public sealed record EntryProofView(EntryView Entry, string Leaf, InclusionView Inclusion, FundHead Head);

public sealed record BudgetLineView(long LineId, string Name, long PlannedFen, long CommittedFen, long SpentFen);

public sealed record BudgetView(int Year, string Status, string StatusName, string DraftedBy, DateTimeOffset UpdatedAt, DateTimeOffset? ApprovedAt,
    int ApprovalsRequired, IReadOnlyList<ApprovalView> Approvals, IReadOnlyList<BudgetLineView> Lines);

public sealed record FundSummary(long EstateId, string EstateName, long BalanceFen, int Year, long IncomeFen, long ExpenseFen, long RemunerationFen, int RemunerationBp,
    string BudgetStatus, IReadOnlyList<BudgetLineView> Budget, IReadOnlyList<EntryView> Recent, FundHead Head, int OpenExpenses, int UnansweredQuestions);

public sealed record ApprovalView(string By, DateTimeOffset At);

public sealed record StepView(DateTimeOffset At, string Action, string ActionName, string Actor, string Note);

public sealed record QuestionView(long Id, DateTimeOffset At, string AskedBy, string Text, string? Answer, DateTimeOffset? AnsweredAt, string? AnsweredBy,
    bool Overdue, bool Held, long? ExpenseId);

public sealed record ExpenseView(long Id, long EstateId, string Status, string StatusName, long AmountFen, long? BudgetLineId, string BudgetLineName, string Payee,
    string Memo, bool OverPlan, int ApprovalsRequired, string ProposedBy, DateTimeOffset ProposedAt, string? RejectionReason, string? VoucherNo, DateTimeOffset? PaidAt,
    long? EntrySeq, IReadOnlyList<AttachmentView> Attachments, IReadOnlyList<ApprovalView> Approvals, IReadOnlyList<StepView> Timeline,
    IReadOnlyList<QuestionView> Questions, FundHead? HeadAfterPayment);

/// <summary>What <see cref="FundQueries.SummaryAsync"/> reads on every view, in one query.</summary>
/// <param name="HeadTimestamp">The signed head's time: it also tells one ledger from another that happens to have the same ids
/// (a database swapped under a running instance), since every ledger starts with a head signed when it was opened.</param>
/// <param name="ExpenseChanges">The sum of (version + 1) over the estate's expenses: it grows with every expense added (from
/// version 0) and every change to one (each bumps its version), and none is ever deleted. So it moves whenever anything
/// the kept parts show of expenses does, the number awaiting approval or payment included.</param>
internal sealed record FundStamp(string Name, long? LogId, long BalanceFen, int RemunerationBp, long? LastSeq, long? LastEntryId, string? HeadTimestamp,
    int UnansweredQuestions, long? BudgetId, long? BudgetVersion, BudgetStatus? BudgetStatus, long ExpenseChanges)
{
    public FundSummaryKey Key(int year) =>
        new(LogId ?? 0, LastSeq ?? -1, LastEntryId ?? 0, HeadTimestamp ?? "", year, BudgetId, BudgetVersion, BudgetStatus, ExpenseChanges);
}

/// <summary>Everything the kept parts of a fund summary are a function of.</summary>
internal sealed record FundSummaryKey(long LogId, long LastSeq, long LastEntryId, string HeadTimestamp, int Year, long? BudgetId, long? BudgetVersion,
    BudgetStatus? BudgetStatus, long ExpenseChanges);

internal sealed record FundSummaryParts(FundSummaryKey Key, FundYearSums Totals, BudgetView? Budget, IReadOnlyList<EntryView> Recent, FundHead Head, int OpenExpenses);

public sealed record MonthTotals(int Month, long IncomeFen, long ExpenseFen, long RemunerationFen, long ReversalFen);

public sealed record VerifyResult(bool Valid, long Entries, string RootHash, long? FirstBadSeq, bool HeadSignatureValid, long BalanceFen, string Message);

/// <summary>
/// Every read of the owners' fund, shared by the residents' API, the staff API and the console pages. Staff and
/// residents read the same things: the fund is public to the estate.
/// </summary>
public sealed class FundQueries(FundLedger ledger, FundBudgets budgets, FundYearTotals yearTotals, IOptions<FundOptions> options, TimeProvider clock)
{
    public const string FilesPrefix = "/api/v1/files";

    /// <summary>The last summary's kept parts per estate (<see cref="SummaryAsync"/>): a few kB each.</summary>
    private readonly ConcurrentDictionary<long, FundSummaryParts> _summaryParts = new();

    public static void CheckEstate(NeighbourHubDbContext db, long estateId)
    {
        if (!db.Scope.Value.CanSeeEstate(estateId))
        {
            throw new NotFoundException("小区基金");
        }
    }

    /// <summary>
    /// The fund page every resident opens. Reading it whole took ten queries; now one query (<see cref="StampAsync"/>)
    /// reads the values shown as they are and the keys of everything else, and the rest — the year's totals, the
    /// budget with its usage, the latest entries and the signed head — is kept per estate in this instance and used
    /// while the keys are unchanged. Those parts are functions of their keys: the ledger and its heads are
    /// append-only (the last entry's sequence number and row id say which ledger, and how far), the budget's version
    /// is bumped by every redraft and approval, and an expense's by every change (the sum of (version + 1) only
    /// grows, and with it goes the number of expenses awaiting approval or payment). So a view is exactly what reading
    /// it whole would show, on every instance, with nothing to invalidate.
    /// </summary>
    public async Task<FundSummary> SummaryAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var year = clock.Today().Year;
        var stamp = await StampAsync(db, estateId, year, ct);
        if (stamp.LogId is null)
        {
            await ledger.OpenAsync(db, estateId, ct); // the first view of a new estate's fund opens its ledger
            stamp = await StampAsync(db, estateId, year, ct);
        }

        if (!_summaryParts.TryGetValue(estateId, out var parts) || parts.Key != stamp.Key(year))
        {
            (stamp, parts) = await SummaryPartsAsync(db, estateId, year, ct);
            _summaryParts[estateId] = parts;
        }

        return new FundSummary(estateId, stamp.Name, stamp.BalanceFen, year, parts.Totals.IncomeFen, -parts.Totals.ExpenseFen, -parts.Totals.RemunerationFen,
            stamp.RemunerationBp, parts.Budget?.Status ?? "none", parts.Budget?.Lines ?? [], parts.Recent, parts.Head, parts.OpenExpenses, stamp.UnansweredQuestions);
    }

    /// <summary>
    /// Unscoped, though only <see cref="CheckEstate"/>'s estate is read: every table here is the estate's own and keyed
    /// on its id, so the tenancy filters would only repeat that check — and with them the query holds the scope's id
    /// lists, which EF inlines as constants: it would generate this SQL afresh, under a lock, on every view. Compiled
    /// (<see cref="UnscopedQueries.Expand{TContext, T1, TResult}"/>), as it runs on every view of the page.
    /// </summary>
    private static async Task<FundStamp> StampAsync(NeighbourHubDbContext db, long estateId, int year, CancellationToken ct) =>
        await Stamp.For(db)(db, estateId, year, ct) ?? throw new NotFoundException("小区基金");

    private static readonly CompiledPerModel<Func<NeighbourHubDbContext, long, int, CancellationToken, Task<FundStamp?>>> Stamp = new(() => EF.CompileAsyncQuery(UnscopedQueries.Expand(
        (NeighbourHubDbContext db, long estateId, int year, CancellationToken ct) =>
            (from e in db.Estates.Unscoped(Because.DetailsOfARowInScope)
             where e.Id == estateId
             join f in db.FundAccounts on e.Id equals f.EstateId into accounts
             from f in accounts.DefaultIfEmpty() // no account until the fund is first opened
             join b in db.FundBudgets.Where(b => b.Year == year) on e.Id equals b.EstateId into budgets
             from b in budgets.DefaultIfEmpty()
             select new FundStamp(
                 e.Name,
                 f == null ? null : (long?)f.LogId,
                 f == null ? 0 : f.BalanceFen,
                 f == null ? 0 : f.RemunerationBp,
                 db.FundEntries.Where(x => x.EstateId == estateId).OrderByDescending(x => x.Seq).Select(x => (long?)x.Seq).FirstOrDefault(),
                 db.FundEntries.Where(x => x.EstateId == estateId).OrderByDescending(x => x.Seq).Select(x => (long?)x.Id).FirstOrDefault(),
                 db.TransparencyHeads.Where(h => f != null && h.LogId == f.LogId).OrderByDescending(h => h.TreeSize).Select(h => h.Timestamp).FirstOrDefault(),
                 db.FundQuestions.Count(q => q.EstateId == estateId && q.Answer == null && q.Status != QuestionStatus.Refused),
                 b == null ? null : (long?)b.Id,
                 b == null ? null : (long?)b.Version,
                 b == null ? null : (BudgetStatus?)b.Status,
                 db.FundExpenses.Where(x => x.EstateId == estateId).Sum(x => x.Version + 1)))
            .SingleOrDefault())));

    /// <summary>
    /// Reads the stamp again with the parts in one snapshot (REPEATABLE READ on MariaDB; SQLite's transactions are
    /// serialisable), so the parts kept under its key are the ones it describes even while entries are appended.
    /// </summary>
    private async Task<(FundStamp, FundSummaryParts)> SummaryPartsAsync(NeighbourHubDbContext db, long estateId, int year, CancellationToken ct)
    {
        var snapshot = db.Database.IsMySql() ? IsolationLevel.RepeatableRead : IsolationLevel.Serializable;
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(snapshot, ct) : null;
        var stamp = await StampAsync(db, estateId, year, ct);
        var yearStart = ChinaTime.StartOfMonth(year, 1).ToUniversalTime();
        var totals = await yearTotals.ReadAsync(db, estateId, year, yearStart, ct);
        var budget = await BudgetAsync(db, estateId, year, ct);
        var recent = await EntryViewsAsync(db, estateId, db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId).OrderByDescending(e => e.Seq).Take(10), ct);
        var head = await ledger.Logs.HeadAsync(db, stamp.LogId!.Value, null, ct);
        var open = await db.FundExpenses.CountAsync(x => x.EstateId == estateId && (x.Status == ExpenseStatus.Proposed || x.Status == ExpenseStatus.Approved), ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        return (stamp, new FundSummaryParts(stamp.Key(year), totals, budget, recent, FundHead.Of(head!, estateId), open));
    }

    public async Task<Paged<EntryView>> EntriesAsync(NeighbourHubDbContext db, long estateId, string? kind, string? category, DateOnly? from, DateOnly? to,
        int page, int pageSize, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var query = Filter(db, estateId, kind, category, from, to);
        var total = await query.LongCountAsync(ct);
        var items = await EntryViewsAsync(db, estateId, query.OrderByDescending(e => e.Seq).Skip((page - 1) * pageSize).Take(pageSize), ct);
        return new Paged<EntryView>(items, page, pageSize, total);
    }

    /// <summary>Every entry that matches, newest first, for the console's export.</summary>
    public async Task<List<EntryView>> AllEntriesAsync(NeighbourHubDbContext db, long estateId, string? kind, string? category, DateOnly? from, DateOnly? to,
        CancellationToken ct)
    {
        CheckEstate(db, estateId);
        return await EntryViewsAsync(db, estateId, Filter(db, estateId, kind, category, from, to).OrderByDescending(e => e.Seq), ct);
    }

    public static readonly string[] Kinds = ["income", "expense", "remuneration", "reversal"];

    private static IQueryable<FundEntry> Filter(NeighbourHubDbContext db, long estateId, string? kind, string? category, DateOnly? from, DateOnly? to)
    {
        var query = db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId);
        if (kind is not null)
        {
            var k = Enum.Parse<FundEntryKind>(kind, ignoreCase: true);
            query = query.Where(e => e.Kind == k);
        }

        if (!string.IsNullOrEmpty(category))
        {
            query = query.Where(e => e.Category == category);
        }

        if (from is { } f)
        {
            var start = ChinaTime.StartOf(f).ToUniversalTime();
            query = query.Where(e => e.At >= start);
        }

        if (to is { } t)
        {
            var end = ChinaTime.StartOf(t.AddDays(1)).ToUniversalTime();
            query = query.Where(e => e.At < end);
        }

        return query;
    }

    /// <summary>A year's income, expenses, remuneration and reversals by month (China time), up to this month: the console's chart.</summary>
    public async Task<List<MonthTotals>> MonthlyAsync(NeighbourHubDbContext db, long estateId, int year, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var start = ChinaTime.StartOfMonth(year, 1).ToUniversalTime();
        var end = ChinaTime.StartOfMonth(year + 1, 1).ToUniversalTime();
        var rows = await db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId && e.At >= start && e.At < end)
            .Select(e => new { e.At, e.Kind, e.AmountFen }).ToListAsync(ct);
        var today = clock.Today();
        var months = year < today.Year ? 12 : year == today.Year ? today.Month : 0;
        var byMonth = rows.ToLookup(r => r.At.ToChina().Month);
        long Sum(int month, FundEntryKind kind) => byMonth[month].Where(r => r.Kind == kind).Sum(r => r.AmountFen);
        return Enumerable.Range(1, months)
            .Select(m => new MonthTotals(m, Sum(m, FundEntryKind.Income), -Sum(m, FundEntryKind.Expense), -Sum(m, FundEntryKind.Remuneration), Sum(m, FundEntryKind.Reversal)))
            .ToList();
    }

    public async Task<EntryProofView> EntryAsync(NeighbourHubDbContext db, long estateId, long seq, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var entry = await db.FundEntries.AsNoTracking().SingleOrDefaultAsync(e => e.EstateId == estateId && e.Seq == seq, ct) ?? throw new NotFoundException("基金流水");
        var fund = await ledger.OpenAsync(db, estateId, ct);
        var head = (await ledger.Logs.HeadAsync(db, fund.LogId, null, ct))!;
        var path = await ledger.Logs.InclusionPathAsync(db, fund.LogId, seq, head.TreeSize, ct);
        var view = (await EntryViewsAsync(db, estateId, db.FundEntries.AsNoTracking().Where(e => e.Id == entry.Id), ct)).Single();
        return new EntryProofView(view, Convert.ToBase64String(FundLeaf.Bytes(entry)), new InclusionView(head.TreeSize, path.Select(Convert.ToHexStringLower).ToList()),
            FundHead.Of(head, estateId));
    }

    public async Task<FundHead> HeadAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var fund = await ledger.OpenAsync(db, estateId, ct);
        return FundHead.Of((await ledger.Logs.HeadAsync(db, fund.LogId, null, ct))!, estateId);
    }

    /// <summary>Proves the tree of size <paramref name="second"/> extends the one of size <paramref name="first"/>; both at most the current size.</summary>
    public async Task<List<string>> ConsistencyAsync(NeighbourHubDbContext db, long estateId, long first, long second, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var fund = await ledger.OpenAsync(db, estateId, ct);
        var size = await db.TransparencyLogs.Where(l => l.Id == fund.LogId).Select(l => l.Size).SingleAsync(ct);
        if (first < 0 || first > second || second > size)
        {
            throw new DomainValidationException("second", $"需满足 0 ≤ first ≤ second ≤ {size}（当前共 {size} 条）。");
        }

        return (await ledger.Logs.ConsistencyPathAsync(db, fund.LogId, first, second, ct)).Select(Convert.ToHexStringLower).ToList();
    }

    /// <summary>Every leaf, recomputed from the stored rows, in order: what an outside verifier recomputes the root from.</summary>
    public async IAsyncEnumerable<(long Seq, byte[] Leaf)> ExportAsync(NeighbourHubDbContext db, long estateId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        CheckEstate(db, estateId);
        long after = -1;
        while (true)
        {
            var batch = await db.FundEntries.AsNoTracking().Where(e => e.EstateId == estateId && e.Seq > after).OrderBy(e => e.Seq).Take(2000).ToListAsync(ct);
            foreach (var e in batch)
            {
                yield return (e.Seq, FundLeaf.Bytes(e));
            }

            if (batch.Count < 2000)
            {
                yield break;
            }

            after = batch[^1].Seq;
        }
    }

    /// <summary>
    /// Recomputes every leaf from the stored rows and checks it against the log and the signed head: a row changed
    /// behind the app's back, a gap in seq, a balance that is not the sum of the entries, or a head whose root or
    /// signature does not hold are all named.
    /// </summary>
    public async Task<VerifyResult> VerifyAsync(NeighbourHubDbContext db, long estateId, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var fund = await ledger.OpenAsync(db, estateId, ct);
        var stored = await ledger.Logs.LeafHashesAsync(db, fund.LogId, ct);
        var head = (await ledger.Logs.HeadAsync(db, fund.LogId, null, ct))!;
        var recomputed = new List<byte[]>();
        long? firstBad = null;
        long balance = 0;
        var problems = new List<string>();
        await foreach (var (seq, leaf) in ExportAsync(db, estateId, ct))
        {
            if (seq != recomputed.Count)
            {
                firstBad ??= recomputed.Count;
                problems.Add($"流水编号在第 {recomputed.Count} 条处不连续");
                break;
            }

            var hash = MerkleTree.LeafHash(leaf);
            if (firstBad is null && (seq >= stored.Count || !hash.AsSpan().SequenceEqual(stored[(int)seq])))
            {
                firstBad = seq;
                problems.Add($"第 {seq} 条记录与记账时的哈希不符（记录被改动过）");
            }

            recomputed.Add(hash);
        }

        balance = await db.FundEntries.Where(e => e.EstateId == estateId).SumAsync(e => (long?)e.AmountFen, ct) ?? 0;
        var root = Convert.ToHexStringLower(TransparencyLogs.RootOf(recomputed));
        var signature = ledger.Logs.VerifyHead(FundLedger.LogKind, head, estateId);
        if (recomputed.Count != head.TreeSize)
        {
            firstBad ??= Math.Min(recomputed.Count, head.TreeSize);
            problems.Add($"签名树头记录 {head.TreeSize} 条，库中有 {recomputed.Count} 条");
        }
        else if (root != head.RootHash)
        {
            firstBad ??= 0;
            problems.Add("由记录重新计算的根哈希与签名树头不符");
        }

        if (!signature)
        {
            problems.Add("树头签名无效");
        }

        if (balance != fund.BalanceFen)
        {
            problems.Add($"余额 {Billing.Money.Yuan(fund.BalanceFen)} 元与流水合计 {Billing.Money.Yuan(balance)} 元不符");
        }

        var valid = problems.Count == 0;
        return new VerifyResult(valid, recomputed.Count, root, firstBad, signature, balance,
            valid ? $"全部 {recomputed.Count} 条记录与签名树头一致，余额 {Billing.Money.Yuan(balance)} 元。" : string.Join("；", problems) + "。");
    }

    public async Task<BudgetView?> BudgetAsync(NeighbourHubDbContext db, long estateId, int year, CancellationToken ct)
    {
        var budget = await db.FundBudgets.AsNoTracking().SingleOrDefaultAsync(b => b.EstateId == estateId && b.Year == year, ct);
        if (budget is null)
        {
            return null;
        }

        var usage = await budgets.LineUsageAsync(db, estateId, year, ct);
        var lines = await db.FundBudgetLines.AsNoTracking().Where(l => l.BudgetId == budget.Id).OrderBy(l => l.Position).ToListAsync(ct);
        var approvals = await db.BudgetApprovals.AsNoTracking().Where(a => a.BudgetId == budget.Id).OrderBy(a => a.At).Select(a => new ApprovalView(a.ByName, a.At)).ToListAsync(ct);
        return new BudgetView(year, budget.Status.ToString().ToLowerInvariant(), budget.Status == BudgetStatus.Approved ? "已批准" : "草案待批准", budget.DraftedByName,
            budget.UpdatedAt, budget.ApprovedAt, budget.ApprovalsRequired, approvals,
            lines.Select(l => new BudgetLineView(l.Id, l.Name, l.PlannedFen, usage.GetValueOrDefault(l.Id).CommittedFen, usage.GetValueOrDefault(l.Id).SpentFen)).ToList());
    }

    public async Task<List<ExpenseView>> ExpensesAsync(NeighbourHubDbContext db, long estateId, ExpenseStatus? status, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var query = db.FundExpenses.AsNoTracking().Where(e => e.EstateId == estateId);
        if (status is { } s)
        {
            query = query.Where(e => e.Status == s);
        }

        var ids = await query.OrderByDescending(e => e.Id).Take(200).Select(e => e.Id).ToListAsync(ct);
        return await ExpenseViewsAsync(db, estateId, ids, ct);
    }

    public async Task<ExpenseView> ExpenseAsync(NeighbourHubDbContext db, long estateId, long expenseId, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        return (await ExpenseViewsAsync(db, estateId, [expenseId], ct)).SingleOrDefault() ?? throw new NotFoundException("支出");
    }

    /// <summary>Questions of the estate, unanswered first (the console's list to answer).</summary>
    public async Task<List<QuestionView>> QuestionsAsync(NeighbourHubDbContext db, long estateId, bool unansweredOnly, CancellationToken ct)
    {
        CheckEstate(db, estateId);
        var query = db.FundQuestions.AsNoTracking().Where(q => q.EstateId == estateId && q.Status != QuestionStatus.Refused);
        if (unansweredOnly)
        {
            query = query.Where(q => q.Answer == null);
        }

        var rows = await query.OrderBy(q => q.Answer != null).ThenBy(q => q.AskedAt).Take(200).ToListAsync(ct);
        return rows.Select(QuestionViewOf).ToList();
    }

    private QuestionView QuestionViewOf(FundQuestion q) =>
        new(q.Id, q.AskedAt, q.AskedBy, q.Text, q.Answer, q.AnsweredAt, q.AnsweredBy,
            q.Answer is null && q.AskedAt < clock.GetUtcNow().AddDays(-options.Value.AnswerDays), q.Status == QuestionStatus.Held, q.ExpenseId);

    private async Task<List<ExpenseView>> ExpenseViewsAsync(NeighbourHubDbContext db, long estateId, List<long> ids, CancellationToken ct)
    {
        var expenses = await db.FundExpenses.AsNoTracking().Where(e => ids.Contains(e.Id) && e.EstateId == estateId).ToListAsync(ct);
        var lineIds = expenses.Where(e => e.BudgetLineId is not null).Select(e => e.BudgetLineId!.Value).ToList();
        var lines = await db.FundBudgetLines.AsNoTracking().Where(l => lineIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, l => l.Name, ct);
        var files = await db.FundAttachments.AsNoTracking().Where(a => a.ExpenseId != null && ids.Contains(a.ExpenseId.Value)).OrderBy(a => a.Id).ToListAsync(ct);
        var approvals = await db.ExpenseApprovals.AsNoTracking().Where(a => ids.Contains(a.ExpenseId)).OrderBy(a => a.At).ToListAsync(ct);
        var steps = await db.ExpenseSteps.AsNoTracking().Where(s => ids.Contains(s.ExpenseId)).OrderBy(s => s.At).ThenBy(s => s.Id).ToListAsync(ct);
        var viewerId = db.Scope.Value.ResidentId;
        var questions = await db.FundQuestions.AsNoTracking()
            .Where(q => q.ExpenseId != null && ids.Contains(q.ExpenseId.Value)
                && (q.Status == QuestionStatus.Published || (q.Status == QuestionStatus.Held && (viewerId == null || q.ResidentId == viewerId))))
            .OrderBy(q => q.AskedAt).ToListAsync(ct);
        // A paid expense carries the signed head that first included it: its notice takes the head off the server.
        var heads = new Dictionary<long, FundHead>();
        if (expenses.Any(e => e.EntrySeq is not null))
        {
            var fund = await ledger.OpenAsync(db, estateId, ct);
            var sizes = expenses.Where(e => e.EntrySeq is not null).Select(e => e.EntrySeq!.Value + 1).ToList();
            heads = await db.TransparencyHeads.AsNoTracking().Where(h => h.LogId == fund.LogId && sizes.Contains(h.TreeSize))
                .ToDictionaryAsync(h => h.TreeSize - 1, h => FundHead.Of(h, estateId), ct);
        }

        return ids.Select(id => expenses.SingleOrDefault(e => e.Id == id)).OfType<FundExpense>().Select(e => new ExpenseView(
            e.Id, e.EstateId, FundExpense.Wire(e.Status), FundExpense.Text(e.Status), e.AmountFen, e.BudgetLineId,
            e.BudgetLineId is { } l && lines.TryGetValue(l, out var n) ? n : "预算外", e.Payee, e.Memo, e.OverPlan, e.ApprovalsRequired, e.ProposedByName, e.ProposedAt,
            e.RejectionReason, e.VoucherNo, e.PaidAt, e.EntrySeq,
            files.Where(f => f.ExpenseId == e.Id).Select(f => Attachment(f, f.IsPaymentProof ? "付款凭证" : "报价/发票")).ToList(),
            approvals.Where(a => a.ExpenseId == e.Id).Select(a => new ApprovalView(a.ByName, a.At)).ToList(),
            steps.Where(s => s.ExpenseId == e.Id).Select(s => new StepView(s.At, s.Action, StepName(s.Action), s.Actor, s.Note)).ToList(),
            questions.Where(q => q.ExpenseId == e.Id).Select(QuestionViewOf).ToList(),
            e.EntrySeq is { } seq ? heads.GetValueOrDefault(seq) : null)).ToList();
    }

    public static string StepName(string action) => action switch
    {
        "proposed" => "提出支出",
        "approved" => "业委会成员批准",
        "approved_all" => "审批通过",
        "rejected" => "驳回",
        "cancelled" => "撤回",
        "paid" => "已支付",
        "questioned" => "业主质询",
        "answered" => "物业答复",
        _ => action,
    };

    private static AttachmentView Attachment(FundAttachment a, string label) =>
        new(a.FileId, a.Name.StartsWith("附件", StringComparison.Ordinal) ? label + a.Name[2..] : a.Name, $"{FilesPrefix}/{a.FileId}", a.Sha256);

    private static async Task<List<EntryView>> EntryViewsAsync(NeighbourHubDbContext db, long estateId, IQueryable<FundEntry> query, CancellationToken ct)
    {
        var entries = await query.ToListAsync(ct);
        var seqs = entries.Select(e => e.Seq).ToList();
        var expenseIds = entries.Where(e => e.ExpenseId is not null).Select(e => e.ExpenseId!.Value).ToList();
        var files = await db.FundAttachments.AsNoTracking()
            .Where(a => a.EstateId == estateId && ((a.EntrySeq != null && seqs.Contains(a.EntrySeq.Value)) || (a.ExpenseId != null && expenseIds.Contains(a.ExpenseId.Value))))
            .OrderBy(a => a.Id).ToListAsync(ct);
        return entries.Select(e => new EntryView(e.Seq, e.At, FundLeaf.Kind(e.Kind), FundCategories.KindText(e.Kind), e.AmountFen, e.Category,
            FundCategories.Text(e.Category), e.BudgetLineId, e.Memo, e.Counterparty,
            e.Attachments.Select(sha => files.FirstOrDefault(f => f.Sha256 == sha && (f.EntrySeq == e.Seq || (e.ExpenseId != null && f.ExpenseId == e.ExpenseId))))
                .OfType<FundAttachment>().Select(f => Attachment(f, f.IsPaymentProof ? "付款凭证" : e.ExpenseId is null ? "凭证" : "报价/发票")).ToList(),
            e.ExpenseId, Convert.ToHexStringLower(FundLeaf.Hash(e)), e.RecordedBy)).ToList();
    }
}
