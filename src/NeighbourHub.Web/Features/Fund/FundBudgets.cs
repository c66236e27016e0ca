using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Hosting;

namespace NeighbourHub.Web.Features.Fund;

public sealed record BudgetLineBody(string? Name, long? PlannedFen);

public sealed record BudgetBody(IReadOnlyList<BudgetLineBody>? Lines);

/// <summary>Committed: approved and unpaid; spent: paid. Planned comes from the line itself.</summary>
public readonly record struct LineUsage(long CommittedFen, long SpentFen);

/// <summary>
/// The annual budget (以收定支): the trustee drafts (and may redraft until it is approved), committee members other
/// than the drafter approve; approved is final. Lines keep their ids across redrafts by name, so nothing that
/// refers to a line loses it.
/// </summary>
public sealed class FundBudgets(FundRoles roles, IOptions<FundOptions> options, TimeProvider clock)
{
    public const int MaxLines = 40;

    public async Task<FundBudget> DraftAsync(NeighbourHubDbContext db, long estateId, int year, BudgetBody? body, CancellationToken ct)
    {
        var thisYear = clock.Today().Year;
        var v = new Validation()
            .When(year < thisYear - 1 || year > thisYear + 1, "year", $"只能编制 {thisYear - 1}–{thisYear + 1} 年的预算。")
            .When(body?.Lines is null or { Count: 0 } or { Count: > MaxLines }, "lines", $"请填写 1–{MaxLines} 个预算科目。");
        foreach (var (line, i) in (body?.Lines ?? []).Select((l, i) => (l, i)))
        {
            v.Required($"lines[{i}].name", line?.Name, 50, "科目名称")
             .When(line?.PlannedFen is null or < 0 or > FundExpenses.MaxAmountFen, $"lines[{i}].plannedFen", "请填写计划金额（单位：分，不小于 0）。");
        }

        if (body?.Lines is { } all && all.Select(l => l?.Name?.Trim()).Distinct().Count() != all.Count)
        {
            v.Add("lines", "科目名称不能重复。");
        }

        if (!v.IsValid)
        {
            throw new RequestValidationException(v);
        }

        var role = await roles.TrusteeAsync(db, estateId, ct);
        var now = clock.StorableNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var budget = await db.FundBudgets.SingleOrDefaultAsync(b => b.EstateId == estateId && b.Year == year, ct);
        if (budget is null)
        {
            budget = new FundBudget
            {
                EstateId = estateId,
                Year = year,
                Status = BudgetStatus.Draft,
                DraftedByAdminId = role.AdminUserId,
                DraftedByName = role.Name,
                UpdatedAt = now,
                ApprovalsRequired = Math.Max(1, options.Value.ApprovalsRequired),
            };
            db.FundBudgets.Add(budget);
            await db.SaveChangesAsync(ct);
        }
        else if (await db.FundBudgets.Where(b => b.Id == budget.Id && b.Status == BudgetStatus.Draft).ExecuteUpdateAsync(u => u
                     .SetProperty(b => b.Version, b => b.Version + 1).SetProperty(b => b.DraftedByAdminId, role.AdminUserId)
                     .SetProperty(b => b.DraftedByName, role.Name).SetProperty(b => b.UpdatedAt, now), ct) == 0)
        {
            throw new ConflictException($"{year} 年预算已经业委会批准，不能再修改。");
        }
        else
        {
            // A redraft needs fresh approvals: what was approved was the old text.
            await db.BudgetApprovals.Where(a => a.BudgetId == budget.Id).ExecuteDeleteAsync(ct);
        }

        var lines = await db.FundBudgetLines.Where(l => l.BudgetId == budget.Id).ToListAsync(ct);
        var wanted = body!.Lines!.Select((l, i) => (Name: l.Name!.Trim(), Planned: l.PlannedFen!.Value, Position: i)).ToList();
        foreach (var gone in lines.Where(l => wanted.All(w => w.Name != l.Name)).ToList())
        {
            if (await db.FundExpenses.AnyAsync(e => e.BudgetLineId == gone.Id && e.Status != ExpenseStatus.Rejected && e.Status != ExpenseStatus.Cancelled, ct))
            {
                throw new ConflictException($"科目「{gone.Name}」已有支出，不能删除。");
            }

            db.FundBudgetLines.Remove(gone);
        }

        foreach (var w in wanted)
        {
            if (lines.SingleOrDefault(l => l.Name == w.Name) is { } kept)
            {
                kept.PlannedFen = w.Planned;
                kept.Position = w.Position;
            }
            else
            {
                db.FundBudgetLines.Add(new FundBudgetLine { BudgetId = budget.Id, EstateId = estateId, Year = year, Name = w.Name, PlannedFen = w.Planned, Position = w.Position });
            }
        }

        db.Audit("fund.budget.draft", nameof(FundBudget), budget.Id.ToString(CultureInfo.InvariantCulture), new { estateId, year, lines = wanted.Count, totalFen = wanted.Sum(w => w.Planned) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await db.FundBudgets.AsNoTracking().SingleAsync(b => b.Id == budget.Id, ct);
    }

    public async Task<FundBudget> ApproveAsync(NeighbourHubDbContext db, long estateId, int year, CancellationToken ct)
    {
        var role = await roles.CommitteeAsync(db, estateId, ct);
        var budget = await db.FundBudgets.AsNoTracking().SingleOrDefaultAsync(b => b.EstateId == estateId && b.Year == year, ct) ?? throw new NotFoundException($"{year} 年预算");
        if (budget.DraftedByAdminId == role.AdminUserId)
        {
            throw new ForbiddenException("编制预算的人不能自己批准，须由其他业委会成员审批。");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.FundBudgets.Where(b => b.Id == budget.Id && b.Status == BudgetStatus.Draft).ExecuteUpdateAsync(u => u.SetProperty(b => b.Version, b => b.Version + 1), ct) == 0)
        {
            throw new ConflictException($"{year} 年预算已经批准。");
        }

        if (await db.BudgetApprovals.AnyAsync(a => a.BudgetId == budget.Id && a.AdminUserId == role.AdminUserId, ct))
        {
            throw new ConflictException("您已批准过这份预算。");
        }

        var now = clock.StorableNow();
        db.BudgetApprovals.Add(new BudgetApproval { BudgetId = budget.Id, AdminUserId = role.AdminUserId, ByName = role.Name, At = now });
        await db.SaveChangesAsync(ct);
        if (await db.BudgetApprovals.CountAsync(a => a.BudgetId == budget.Id, ct) >= budget.ApprovalsRequired)
        {
            await db.FundBudgets.Where(b => b.Id == budget.Id).ExecuteUpdateAsync(u => u.SetProperty(b => b.Status, BudgetStatus.Approved).SetProperty(b => b.ApprovedAt, now), ct);
        }

        db.Audit("fund.budget.approve", nameof(FundBudget), budget.Id.ToString(CultureInfo.InvariantCulture), new { estateId, year });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await db.FundBudgets.AsNoTracking().SingleAsync(b => b.Id == budget.Id, ct);
    }

    /// <summary>Per line of the year: approved-unpaid and paid expenses.</summary>
    public async Task<Dictionary<long, LineUsage>> LineUsageAsync(NeighbourHubDbContext db, long estateId, int year, CancellationToken ct)
    {
        var rows = await (from e in db.FundExpenses
                          join l in db.FundBudgetLines on e.BudgetLineId equals l.Id
                          where e.EstateId == estateId && l.Year == year && (e.Status == ExpenseStatus.Approved || e.Status == ExpenseStatus.Paid)
                          group e by new { l.Id, e.Status } into g
                          select new { g.Key.Id, g.Key.Status, Fen = g.Sum(e => e.AmountFen) }).ToListAsync(ct);
        return rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => new LineUsage(
            g.Where(r => r.Status == ExpenseStatus.Approved).Sum(r => r.Fen), g.Where(r => r.Status == ExpenseStatus.Paid).Sum(r => r.Fen)));
    }
}
