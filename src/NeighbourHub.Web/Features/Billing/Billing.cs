using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.Web.Features.Billing;

public enum FeeKind
{
    /// <summary>Unit price in fen per m² per month × the household's registered area, rounded half-up to the fen.</summary>
    PerAreaMonthly,
    /// <summary>The same amount every month (e.g. a parking space).</summary>
    FixedMonthly,
    /// <summary>Billed once, in the month it takes effect.</summary>
    OneOff,
}

/// <summary>A fee an estate charges (物业费, 车位费, 维修分摊…), effective for a range of months.</summary>
public sealed class FeeItem : IEstateStaffOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public required string Name { get; set; }
    public FeeKind Kind { get; set; }
    /// <summary>Fen: per m² per month for <see cref="FeeKind.PerAreaMonthly"/>, per household otherwise.</summary>
    public long UnitPriceFen { get; set; }
    public DateOnly EffectiveFrom { get; set; }
    public DateOnly? EffectiveTo { get; set; }
    /// <summary>Day of the billed month by which it is due.</summary>
    public int DueDay { get; set; } = 15;

    public bool AppliesTo(BillingPeriod period) => Kind == FeeKind.OneOff
        ? BillingPeriod.Of(EffectiveFrom) == period
        : period.Last >= EffectiveFrom && (EffectiveTo is null || period.First <= EffectiveTo);

    /// <summary>
    /// The amount for one household. Per-m² fees are rounded half-up to the fen (四舍五入到分): 2.50 元/m² × 89.53 m²
    /// = 223.825 元 → 223.83 元. Computed in decimal, so no binary rounding creeps in.
    /// </summary>
    public long AmountFor(decimal areaM2) => Kind == FeeKind.PerAreaMonthly
        ? (long)Math.Round(UnitPriceFen * areaM2, 0, MidpointRounding.AwayFromZero)
        : UnitPriceFen;
}

/// <summary>A household that does not pay a fee item (e.g. a property office, a hardship waiver).</summary>
public sealed class FeeExemption : IChildOf<FeeItem>
{
    public long Id { get; set; }
    public long FeeItemId { get; set; }
    public long HouseholdId { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>Voided: cancelled by staff with a reason (issued in error, waived); it is no longer owed and can never be paid.</summary>
public enum BillStatus { Unpaid, Paid, Refunded, Voided }

/// <summary>
/// One household's charge for one fee item in one month. Unique on (household, item, period), which is what
/// makes bill runs idempotent. <see cref="LockedByPaymentId"/> ties an unpaid bill to the one payment in
/// progress. Only <see cref="BillLedger"/> changes a bill, each step a conditional update (ADR 0005).
/// </summary>
public sealed class Bill : IEstateStaffOwned, IOpenToHouseholdResidents
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public long HouseholdId { get; set; }
    public long FeeItemId { get; set; }
    /// <summary>"2026-11".</summary>
    public required string Period { get; set; }
    /// <summary>The item's name when billed, so old bills read as they were issued.</summary>
    public required string FeeItemName { get; set; }
    public long AmountFen { get; set; }
    public DateOnly DueDate { get; set; }
    public BillStatus Status { get; set; }
    public long? LockedByPaymentId { get; set; }
    public long? PaidByPaymentId { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public long RefundedFen { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The run that created it: a run's totals are exactly the bills it inserted.</summary>
    public long? BillingRunId { get; set; }
    /// <summary>What the run first charged, kept once staff adjust the amount (null while never adjusted).</summary>
    public long? OriginalAmountFen { get; set; }
    /// <summary>Why staff last voided or adjusted it, shown beside the bill; the audit log keeps every step.</summary>
    public string? StaffNote { get; set; }
    public DateTimeOffset? VoidedAt { get; set; }
}

public enum BillingRunStatus { Running, Completed, Failed }

/// <summary>One bill run for (estate, period), with its progress for the console.</summary>
public sealed class BillingRun : IEstateStaffOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public required string Period { get; set; }
    public BillingRunStatus Status { get; set; }
    public int Households { get; set; }
    public int Processed { get; set; }
    public int BillsCreated { get; set; }
    public long TotalFen { get; set; }
    public string StartedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Error { get; set; }
}

/// <summary>A calendar month, written "2026-11".</summary>
public readonly record struct BillingPeriod(int Year, int Month)
{
    public DateOnly First => new(Year, Month, 1);
    public DateOnly Last => First.AddMonths(1).AddDays(-1);

    public static BillingPeriod Of(DateOnly day) => new(day.Year, day.Month);

    public static bool TryParse(string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || y < 2000 || y > 2100 || m is < 1 or > 12)
        {
            return false;
        }

        period = new BillingPeriod(y, m);
        return true;
    }

    public DateOnly DueDate(int dueDay) => new(Year, Month, Math.Clamp(dueDay, 1, DateTime.DaysInMonth(Year, Month)));

    public override string ToString() => $"{Year:D4}-{Month:D2}";
}

internal sealed class BillingConfiguration : IEntityTypeConfiguration<FeeItem>, IEntityTypeConfiguration<FeeExemption>, IEntityTypeConfiguration<Bill>,
    IEntityTypeConfiguration<BillingRun>
{
    public void Configure(EntityTypeBuilder<FeeItem> b)
    {
        b.ToTable("FeeItems");
        b.Property(x => x.Name).HasMaxLength(50);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => new { x.EstateId, x.Name }).IsUnique();
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<FeeExemption> b)
    {
        b.ToTable("FeeExemptions");
        b.Property(x => x.Reason).HasMaxLength(200);
        b.HasIndex(x => new { x.FeeItemId, x.HouseholdId }).IsUnique();
        b.HasOne<FeeItem>().WithMany().HasForeignKey(x => x.FeeItemId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Household>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<Bill> b)
    {
        b.ToTable("Bills");
        b.Property(x => x.Period).HasMaxLength(7).IsFixedLength();
        b.Property(x => x.FeeItemName).HasMaxLength(50);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.StaffNote).HasMaxLength(200);
        // The idempotency of bill runs: running one twice (even at once) creates nothing new.
        b.HasIndex(x => new { x.HouseholdId, x.FeeItemId, x.Period }).IsUnique();
        b.HasIndex(x => new { x.EstateId, x.Period, x.Status });
        // 账单与欠费 pages and sums by (estate, status) oldest due first; AmountFen makes the 合计 an index-only scan.
        b.HasIndex(x => new { x.EstateId, x.Status, x.DueDate, x.AmountFen });
        b.HasIndex(x => x.LockedByPaymentId);
        b.HasIndex(x => x.BillingRunId);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Household>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<FeeItem>().WithMany().HasForeignKey(x => x.FeeItemId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<BillingRun> b)
    {
        b.ToTable("BillingRuns");
        b.Property(x => x.Period).HasMaxLength(7).IsFixedLength();
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.StartedBy).HasMaxLength(64);
        b.Property(x => x.Error).HasMaxLength(500);
        b.HasIndex(x => new { x.EstateId, x.Period });
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}
