using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Fund;

public enum ExpenseStatus { Proposed, Approved, Rejected, Paid, Cancelled }

/// <summary>
/// An expense of the owners' money and its two keys (双密码): the trustee proposes, committee members other
/// than the proposer approve — <see cref="ApprovalsRequired"/> of them, one more when it takes its budget line
/// over plan — and only a paid expense reaches the ledger. Every step is a conditional update on
/// <see cref="Status"/>, so racing approvals and payments change it once.
/// </summary>
public sealed class FundExpense : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public ExpenseStatus Status { get; set; }

    /// <summary>Positive fen: what will leave the fund.</summary>
    public long AmountFen { get; set; }
    public long? BudgetLineId { get; set; }
    public required string Payee { get; set; }
    public required string Memo { get; set; }

    /// <summary>Distinct committee approvals needed, fixed when proposed (Fund:ApprovalsRequired, +1 over plan).</summary>
    public int ApprovalsRequired { get; set; }

    /// <summary>Whether it took its line over plan when proposed (or has no line in an approved budget).</summary>
    public bool OverPlan { get; set; }
    public long ProposedByAdminId { get; set; }
    public required string ProposedByName { get; set; }
    public DateTimeOffset ProposedAt { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? RejectionReason { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? VoucherNo { get; set; }
    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>The ledger entry its payment wrote.</summary>
    public long? EntrySeq { get; set; }
    public string? PayIdempotencyKey { get; set; }

    /// <summary>
    /// Bumped by every approval and every change of status: approvals of one expense queue on its row, so the last one
    /// sees them all; and the fund summary's cache (<see cref="FundQueries.SummaryAsync"/>) knows the budget's usage is
    /// unchanged while the sum of its estate's (version + 1) is — expenses are never deleted, so that sum grows with
    /// every expense added and every change. A new update of this row must bump it too.
    /// </summary>
    public long Version { get; set; }

    public static string Wire(ExpenseStatus s) => s.ToString().ToLowerInvariant();

    public static string Text(ExpenseStatus s) => s switch
    {
        ExpenseStatus.Proposed => "待审批",
        ExpenseStatus.Approved => "已批准待支付",
        ExpenseStatus.Rejected => "已驳回",
        ExpenseStatus.Paid => "已支付",
        _ => "已撤回",
    };
}

/// <summary>One committee member's approval; one per member (unique), never the proposer's.</summary>
public sealed class ExpenseApproval : IChildOf<FundExpense>
{
    public long Id { get; set; }
    public long ExpenseId { get; set; }
    public long AdminUserId { get; set; }
    public required string ByName { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>A step on an expense's public timeline.</summary>
public sealed class ExpenseStep : IChildOf<FundExpense>
{
    public long Id { get; set; }
    public long ExpenseId { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>proposed, approved (one member), approved_all, rejected, cancelled, paid, questioned, answered.</summary>
    public required string Action { get; set; }

    /// <summary>Who, as residents may read it: a staff name and role, or "业主（3栋2单元）".</summary>
    public required string Actor { get; set; }
    public string Note { get; set; } = "";
}

internal sealed class FundExpenseConfiguration :
    IEntityTypeConfiguration<FundExpense>, IEntityTypeConfiguration<ExpenseApproval>, IEntityTypeConfiguration<ExpenseStep>
{
    public void Configure(EntityTypeBuilder<FundExpense> b)
    {
        b.ToTable("FundExpenses");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Payee).HasMaxLength(100);
        b.Property(x => x.Memo).HasMaxLength(500);
        b.Property(x => x.ProposedByName).HasMaxLength(64);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        b.Property(x => x.PayIdempotencyKey).HasMaxLength(64);
        b.Property(x => x.RejectionReason).HasMaxLength(200);
        b.Property(x => x.VoucherNo).HasMaxLength(64);
        b.HasIndex(x => new { x.EstateId, x.Status });
        b.HasIndex(x => new { x.ProposedByAdminId, x.IdempotencyKey }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<ExpenseApproval> b)
    {
        b.ToTable("FundExpenseApprovals");
        b.Property(x => x.ByName).HasMaxLength(64);
        b.HasOne<FundExpense>().WithMany().HasForeignKey(x => x.ExpenseId);
        b.HasIndex(x => new { x.ExpenseId, x.AdminUserId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<ExpenseStep> b)
    {
        b.ToTable("FundExpenseSteps");
        b.Property(x => x.Action).HasMaxLength(16);
        b.Property(x => x.Actor).HasMaxLength(64);
        b.Property(x => x.Note).HasMaxLength(500);
        b.HasOne<FundExpense>().WithMany().HasForeignKey(x => x.ExpenseId);
        b.HasIndex(x => new { x.ExpenseId, x.At });
    }
}
