using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;
using NeighbourHub.Web.Transparency;

namespace NeighbourHub.Web.Features.Fund;

public sealed class FundOptions
{
    public const string SectionName = "Fund";

    /// <summary>Distinct committee members, other than the proposer, who must approve an expense or a budget.</summary>
    public int ApprovalsRequired { get; set; } = 1;

    /// <summary>Questions unanswered after this many days are flagged on the expense and in the console.</summary>
    public int AnswerDays { get; set; } = 7;

    /// <summary>Minutes between the statement job's looks for ended months; zero turns the loop off (tests call it).</summary>
    public double StatementPollMinutes { get; set; } = 30;
}

public sealed record ProposeExpenseBody(long? AmountFen, long? BudgetLineId, string? Payee, string? Memo, IReadOnlyList<string>? AttachmentIds);

public sealed record PayExpenseBody(string? VoucherNo, IReadOnlyList<string>? AttachmentIds);

/// <summary>
/// Spending with two keys: the trustee proposes, the committee approves (never the proposer), the trustee pays
/// — and only the payment writes the ledger. Each transition is a conditional update on the expense's status,
/// each step a line of its public timeline.
/// </summary>
public sealed class FundExpenses(FundLedger ledger, FundRoles roles, FundAttachments attachments, FundBudgets budgets, IOptions<FundOptions> options,
    TimeProvider clock)
{
    /// <summary>One expense at most: ten million yuan.</summary>
    public const long MaxAmountFen = 1_000_000_000;

    public async Task<FundExpense> ProposeAsync(NeighbourHubDbContext db, long estateId, ProposeExpenseBody? body, string idempotencyKey, CancellationToken ct)
    {
        var v = new Validation()
            .When(body?.AmountFen is null or <= 0 or > MaxAmountFen, "amountFen", "请填写支出金额（单位：分，大于 0，不超过一千万元）。")
            .Required("payee", body?.Payee, 100, "收款方")
            .Required("memo", body?.Memo, 500, "用途说明");
        FundAttachments.CheckIds(v, body?.AttachmentIds);
        IdempotencyKeys.Check(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var role = await roles.TrusteeAsync(db, estateId, ct);
        if (await db.FundExpenses.AsNoTracking().SingleOrDefaultAsync(e => e.ProposedByAdminId == role.AdminUserId && e.IdempotencyKey == idempotencyKey, ct) is { } replay)
        {
            return replay;
        }

        var now = clock.StorableNow();
        var year = ChinaTime.DayOf(now).Year;
        var overPlan = true;
        if (body!.BudgetLineId is { } lineId)
        {
            var line = await db.FundBudgetLines.AsNoTracking().SingleOrDefaultAsync(l => l.Id == lineId && l.EstateId == estateId, ct)
                ?? throw new DomainValidationException("budgetLineId", "预算科目不存在。");
            if (line.Year != year)
            {
                throw new DomainValidationException("budgetLineId", $"请选择 {year} 年预算中的科目。");
            }

            var usage = (await budgets.LineUsageAsync(db, estateId, year, ct)).GetValueOrDefault(lineId);
            var approved = await db.FundBudgets.AsNoTracking().AnyAsync(b => b.Id == line.BudgetId && b.Status == BudgetStatus.Approved, ct);
            overPlan = !approved || usage.CommittedFen + usage.SpentFen + body.AmountFen!.Value > line.PlannedFen;
        }

        var expense = new FundExpense
        {
            EstateId = estateId,
            Status = ExpenseStatus.Proposed,
            AmountFen = body.AmountFen!.Value,
            BudgetLineId = body.BudgetLineId,
            Payee = body.Payee!.Trim(),
            Memo = body.Memo!.Trim(),
            OverPlan = overPlan,
            ApprovalsRequired = Math.Max(1, options.Value.ApprovalsRequired) + (overPlan ? 1 : 0),
            ProposedByAdminId = role.AdminUserId,
            ProposedByName = role.Name,
            ProposedAt = now,
            IdempotencyKey = idempotencyKey,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.FundExpenses.Add(expense);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return await db.FundExpenses.AsNoTracking().SingleAsync(e => e.ProposedByAdminId == role.AdminUserId && e.IdempotencyKey == idempotencyKey, ct);
        }

        await attachments.AttachAsync(db, estateId, body.AttachmentIds, expense.Id, proof: false, ct);
        Step(db, expense.Id, "proposed", role.Name, overPlan ? $"超出预算（或未列入预算），需 {expense.ApprovalsRequired} 位业委会成员批准" : $"需 {expense.ApprovalsRequired} 位业委会成员批准");
        db.Audit("fund.expense.propose", nameof(FundExpense), expense.Id.ToString(CultureInfo.InvariantCulture), new { estateId, expense.AmountFen, expense.Payee });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return expense;
    }

    /// <summary>A committee member's key. The expense is approved when enough distinct members (never the proposer) have turned theirs.</summary>
    public async Task<FundExpense> ApproveAsync(NeighbourHubDbContext db, long estateId, long expenseId, CancellationToken ct)
    {
        var role = await roles.CommitteeAsync(db, estateId, ct);
        var expense = await FindAsync(db, estateId, expenseId, ct);
        if (expense.ProposedByAdminId == role.AdminUserId)
        {
            throw new ForbiddenException("提出支出的人不能自己批准，须由其他业委会成员审批。");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Queue on the expense's row: the last of several racing approvals then counts them all.
        if (await db.FundExpenses.Where(e => e.Id == expenseId && e.Status == ExpenseStatus.Proposed)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Version, e => e.Version + 1), ct) == 0)
        {
            throw new ConflictException($"这笔支出当前为「{FundExpense.Text((await FindAsync(db, estateId, expenseId, ct)).Status)}」，不能再审批。");
        }

        if (await db.ExpenseApprovals.AnyAsync(a => a.ExpenseId == expenseId && a.AdminUserId == role.AdminUserId, ct))
        {
            throw new ConflictException("您已批准过这笔支出。");
        }

        var now = clock.StorableNow();
        db.ExpenseApprovals.Add(new ExpenseApproval { ExpenseId = expenseId, AdminUserId = role.AdminUserId, ByName = role.Name, At = now });
        Step(db, expenseId, "approved", role.Name, "");
        await db.SaveChangesAsync(ct);
        var count = await db.ExpenseApprovals.CountAsync(a => a.ExpenseId == expenseId, ct);
        if (count >= expense.ApprovalsRequired)
        {
            await db.FundExpenses.Where(e => e.Id == expenseId && e.Status == ExpenseStatus.Proposed)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Status, ExpenseStatus.Approved).SetProperty(e => e.DecidedAt, now)
                    .SetProperty(e => e.Version, e => e.Version + 1), ct);
            Step(db, expenseId, "approved_all", "系统", $"已有 {count} 位业委会成员批准，可以支付");
        }

        db.Audit("fund.expense.approve", nameof(FundExpense), expenseId.ToString(CultureInfo.InvariantCulture), new { estateId, approvals = count });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await FindAsync(db, estateId, expenseId, ct);
    }

    public async Task<FundExpense> RejectAsync(NeighbourHubDbContext db, long estateId, long expenseId, string? reason, CancellationToken ct)
    {
        var role = await roles.CommitteeAsync(db, estateId, ct);
        if ((await FindAsync(db, estateId, expenseId, ct)).ProposedByAdminId == role.AdminUserId)
        {
            throw new ForbiddenException("提出支出的人不能审批自己的支出；如需作废，请撤回。");
        }

        return await EndAsync(db, estateId, expenseId, role, reason, "驳回理由", [ExpenseStatus.Proposed], ExpenseStatus.Rejected, "rejected", "驳回", ct);
    }

    /// <summary>The trustee withdraws a proposal before it is paid.</summary>
    public async Task<FundExpense> CancelAsync(NeighbourHubDbContext db, long estateId, long expenseId, string? reason, CancellationToken ct) =>
        await EndAsync(db, estateId, expenseId, await roles.TrusteeAsync(db, estateId, ct), reason, "撤回原因",
            [ExpenseStatus.Proposed, ExpenseStatus.Approved], ExpenseStatus.Cancelled, "cancelled", "撤回", ct);

    /// <summary>Ends an expense unpaid (rejected or cancelled) with a reason on its timeline, if it is still in one of <paramref name="from"/>.</summary>
    private async Task<FundExpense> EndAsync(NeighbourHubDbContext db, long estateId, long expenseId, FundRole role, string? reason, string reasonLabel,
        ExpenseStatus[] from, ExpenseStatus to, string action, string verb, CancellationToken ct)
    {
        var v = new Validation().Required("reason", reason, 200, reasonLabel);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var expense = await FindAsync(db, estateId, expenseId, ct);
        var why = reason!.Trim();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.FundExpenses.Where(e => e.Id == expenseId && from.Contains(e.Status)).ExecuteUpdateAsync(u => u
                .SetProperty(e => e.Status, to).SetProperty(e => e.DecidedAt, clock.StorableNow()).SetProperty(e => e.Version, e => e.Version + 1)
                .SetProperty(e => e.RejectionReason, e => to == ExpenseStatus.Rejected ? why : e.RejectionReason), ct) == 0)
        {
            throw new ConflictException($"这笔支出当前为「{FundExpense.Text(expense.Status)}」，不能{verb}。");
        }

        Step(db, expenseId, action, role.Name, why);
        db.Audit($"fund.expense.{action}", nameof(FundExpense), expenseId.ToString(CultureInfo.InvariantCulture), new { estateId, reason = why });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await FindAsync(db, estateId, expenseId, ct);
    }

    /// <summary>
    /// Approved → paid, with the voucher: the one moment the ledger gets the expense entry. The status change
    /// and the entry commit together under the log's lock, so racing payments pay once, and a payment that would
    /// overdraw the fund is 409 with nothing written.
    /// </summary>
    public async Task<FundExpense> PayAsync(NeighbourHubDbContext db, long estateId, long expenseId, PayExpenseBody? body, string idempotencyKey, CancellationToken ct)
    {
        var v = new Validation().Required("voucherNo", body?.VoucherNo, 64, "付款凭证号");
        FundAttachments.CheckIds(v, body?.AttachmentIds);
        IdempotencyKeys.Check(v, idempotencyKey);
        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var role = await roles.TrusteeAsync(db, estateId, ct);
        var expense = await FindAsync(db, estateId, expenseId, ct);
        if (expense.Status == ExpenseStatus.Paid && expense.PayIdempotencyKey == idempotencyKey)
        {
            return expense; // a replay of the payment that went through
        }

        await using var tx = await TransparencyLogs.BeginAppendingAsync(db, ct);
        var now = clock.StorableNow();
        if (await db.FundExpenses.Where(e => e.Id == expenseId && e.Status == ExpenseStatus.Approved).ExecuteUpdateAsync(u => u
                .SetProperty(e => e.Status, ExpenseStatus.Paid).SetProperty(e => e.VoucherNo, body!.VoucherNo!.Trim()).SetProperty(e => e.Version, e => e.Version + 1)
                .SetProperty(e => e.PaidAt, now).SetProperty(e => e.PayIdempotencyKey, idempotencyKey), ct) == 0)
        {
            await tx.RollbackAsync(ct);
            var current = await FindAsync(db, estateId, expenseId, ct);
            if (current.Status == ExpenseStatus.Paid && current.PayIdempotencyKey == idempotencyKey)
            {
                return current;
            }

            throw new ConflictException(current.Status == ExpenseStatus.Paid
                ? "这笔支出已经支付过了。"
                : $"这笔支出当前为「{FundExpense.Text(current.Status)}」，须经业委会批准后才能支付。");
        }

        var proofs = await attachments.AttachAsync(db, estateId, body!.AttachmentIds, expenseId, proof: true, ct);
        var quotes = await db.FundAttachments.AsNoTracking().Where(a => a.ExpenseId == expenseId && !a.IsPaymentProof).OrderBy(a => a.Id).Select(a => a.Sha256).ToListAsync(ct);
        var lineName = expense.BudgetLineId is { } lineId
            ? await db.FundBudgetLines.AsNoTracking().Where(l => l.Id == lineId).Select(l => l.Name).SingleAsync(ct)
            : "预算外";
        var entries = await ledger.AppendAsync(db, estateId,
            [new(FundEntryKind.Expense, -expense.AmountFen, FundCategories.Expense, $"{lineName}：{expense.Memo}（凭证 {body.VoucherNo!.Trim()}）", expense.Payee,
                $"expense:{expenseId}", expense.BudgetLineId, expenseId, [.. quotes, .. proofs.Select(p => p.Sha256)], role.Name)],
            mayOverdraw: false, ct);
        await attachments.PinToEntryAsync(db, proofs, entries[0].Seq, ct);
        await db.FundExpenses.Where(e => e.Id == expenseId).ExecuteUpdateAsync(u => u.SetProperty(e => e.EntrySeq, entries[0].Seq).SetProperty(e => e.Version, e => e.Version + 1), ct);
        Step(db, expenseId, "paid", role.Name, $"凭证 {body.VoucherNo!.Trim()}，记入基金流水第 {entries[0].Seq} 条");
        db.Audit("fund.expense.pay", nameof(FundExpense), expenseId.ToString(CultureInfo.InvariantCulture), new { estateId, expense.AmountFen, body.VoucherNo, entries[0].Seq });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await FindAsync(db, estateId, expenseId, ct);
    }

    public static async Task<FundExpense> FindAsync(NeighbourHubDbContext db, long estateId, long expenseId, CancellationToken ct) =>
        await db.FundExpenses.AsNoTracking().SingleOrDefaultAsync(e => e.Id == expenseId && e.EstateId == estateId, ct) ?? throw new NotFoundException("支出");

    internal void Step(NeighbourHubDbContext db, long expenseId, string action, string actor, string note) =>
        db.ExpenseSteps.Add(new ExpenseStep { ExpenseId = expenseId, At = clock.StorableNow(), Action = action, Actor = actor, Note = note });
}
