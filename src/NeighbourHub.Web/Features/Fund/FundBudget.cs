using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Fund;

public enum BudgetStatus { Draft, Approved }

/// <summary>
/// An estate's annual budget (以收定支): drafted by the trustee, approved by committee members other than the
/// drafter (two keys again). An approved budget is final; its lines are what expenses are planned against.
/// </summary>
public sealed class FundBudget : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public int Year { get; set; }
    public BudgetStatus Status { get; set; }
    public long DraftedByAdminId { get; set; }
    public required string DraftedByName { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>Committee approvals needed (Fund:ApprovalsRequired when drafted).</summary>
    public int ApprovalsRequired { get; set; }

    /// <summary>Bumped by every approval and every redraft: they queue on this row.</summary>
    public long Version { get; set; }
}

public sealed class FundBudgetLine : IEstateOwned
{
    public long Id { get; set; }
    public long BudgetId { get; set; }
    public long EstateId { get; set; }
    public int Year { get; set; }
    public required string Name { get; set; }
    public long PlannedFen { get; set; }
    public int Position { get; set; }
}

public sealed class BudgetApproval : IChildOf<FundBudget>
{
    public long Id { get; set; }
    public long BudgetId { get; set; }
    public long AdminUserId { get; set; }
    public required string ByName { get; set; }
    public DateTimeOffset At { get; set; }
}

public enum QuestionStatus { Held, Published, Refused }

/// <summary>
/// An owner's question (质询) about an expense or a ledger entry, and the trustee's public answer. Screened by
/// WeChat content security before anyone else sees it: risky text is refused, doubtful text held for staff.
/// </summary>
public sealed class FundQuestion : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public long? ExpenseId { get; set; }
    public long? EntrySeq { get; set; }

    [OwningResident]
    public long ResidentId { get; set; }

    /// <summary>How neighbours see the asker: "业主（3栋2单元）" — never a name or a room.</summary>
    public required string AskedBy { get; set; }
    public required string Text { get; set; }
    public QuestionStatus Status { get; set; }
    public DateTimeOffset AskedAt { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? Answer { get; set; }
    public string? AnsweredBy { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
}

internal sealed class FundBudgetConfiguration :
    IEntityTypeConfiguration<FundBudget>, IEntityTypeConfiguration<FundBudgetLine>, IEntityTypeConfiguration<BudgetApproval>,
    IEntityTypeConfiguration<FundQuestion>
{
    public void Configure(EntityTypeBuilder<FundBudget> b)
    {
        b.ToTable("FundBudgets");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.DraftedByName).HasMaxLength(64);
        b.HasIndex(x => new { x.EstateId, x.Year }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<FundBudgetLine> b)
    {
        b.ToTable("FundBudgetLines");
        b.Property(x => x.Name).HasMaxLength(50);
        b.HasOne<FundBudget>().WithMany().HasForeignKey(x => x.BudgetId);
        b.HasIndex(x => new { x.BudgetId, x.Name }).IsUnique();
        b.HasIndex(x => new { x.EstateId, x.Year });
    }

    public void Configure(EntityTypeBuilder<BudgetApproval> b)
    {
        b.ToTable("FundBudgetApprovals");
        b.Property(x => x.ByName).HasMaxLength(64);
        b.HasOne<FundBudget>().WithMany().HasForeignKey(x => x.BudgetId);
        b.HasIndex(x => new { x.BudgetId, x.AdminUserId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<FundQuestion> b)
    {
        b.ToTable("FundQuestions");
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.AskedBy).HasMaxLength(64);
        b.Property(x => x.Text).HasMaxLength(500);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        b.Property(x => x.Answer).HasMaxLength(1000);
        b.Property(x => x.AnsweredBy).HasMaxLength(64);
        b.HasIndex(x => new { x.EstateId, x.ExpenseId });
        b.HasIndex(x => new { x.ResidentId, x.IdempotencyKey }).IsUnique();
    }
}
