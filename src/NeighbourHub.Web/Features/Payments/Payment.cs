using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Features.Billing;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.Web.Features.Payments;

public enum PaymentStatus { Pending, Paid, Closed, Refunded }

public enum PaymentChannel { WeChat, Cash, BankTransfer }

/// <summary>
/// Money received (or on its way) for one or more bills. WeChat payments start Pending with a locked set
/// of bills and become Paid exactly once, by a conditional update, from the callback or reconciliation;
/// offline payments are recorded Paid by staff. Fen everywhere.
/// </summary>
public sealed class Payment : IEstateStaffOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    [OwningResident]
    public long? ResidentId { get; set; }
    public PaymentChannel Channel { get; set; }
    /// <summary>Unique per merchant, 6–32 of [0-9A-Za-z_-|*]; ours are "NH" + time + random.</summary>
    public required string OutTradeNo { get; set; }
    public long AmountFen { get; set; }
    public long RefundedFen { get; set; }
    public PaymentStatus Status { get; set; }
    public string? IdempotencyKey { get; set; }
    /// <summary>The bills asked for, sorted and joined: a replayed key with other bills is refused.</summary>
    public string BillIdsKey { get; set; } = "";
    public string? PrepayId { get; set; }
    /// <summary>The first answer's <c>payParams</c>, so a replay returns it unchanged.</summary>
    public string? PayParamsJson { get; set; }
    public string? TransactionId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? PaidAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>The printed receipt's number, given when the money is in.</summary>
    public string? ReceiptNo { get; set; }
    /// <summary>Offline payments: the cash receipt or bank reference staff typed.</summary>
    public string? OfflineReference { get; set; }
    public string? RecordedBy { get; set; }
    /// <summary>Something did not add up (amount mismatch, paid after close): staff must look.</summary>
    public bool NeedsReview { get; set; }
    public string? ReviewNote { get; set; }

    public static string Wire(PaymentStatus s) => s.ToString().ToLowerInvariant();

    public static string Wire(PaymentChannel c) => c switch { PaymentChannel.WeChat => "wechat", PaymentChannel.Cash => "cash", _ => "bankTransfer" };
}

/// <summary>Which bills a payment covers, and how much of it went to each.</summary>
public sealed class PaymentBill : IChildOf<Payment>
{
    public long PaymentId { get; set; }
    public long BillId { get; set; }
    public long AmountFen { get; set; }
}

public enum RefundStatus { Processing, Succeeded, Failed }

/// <summary>Money given back for one bill of a payment; the sum never exceeds what the bill was paid.</summary>
public sealed class Refund : IChildOf<Payment>
{
    public long Id { get; set; }
    public long PaymentId { get; set; }
    public long BillId { get; set; }
    public long AmountFen { get; set; }
    public required string OutRefundNo { get; set; }
    public RefundStatus Status { get; set; }
    public string Reason { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    /// <summary>The staff request's Idempotency-Key: a replay answers this refund instead of making another.</summary>
    public string? IdempotencyKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>, IEntityTypeConfiguration<PaymentBill>, IEntityTypeConfiguration<Refund>
{
    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.ToTable("Payments");
        b.Property(x => x.OutTradeNo).HasMaxLength(32);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Channel).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        b.Property(x => x.BillIdsKey).HasMaxLength(1000);
        b.Property(x => x.PrepayId).HasMaxLength(64);
        b.Property(x => x.PayParamsJson).HasMaxLength(2000);
        b.Property(x => x.TransactionId).HasMaxLength(64);
        b.Property(x => x.ReceiptNo).HasMaxLength(32);
        b.Property(x => x.OfflineReference).HasMaxLength(64);
        b.Property(x => x.RecordedBy).HasMaxLength(64);
        b.Property(x => x.ReviewNote).HasMaxLength(500);
        b.HasIndex(x => x.OutTradeNo).IsUnique();
        b.HasIndex(x => x.ReceiptNo).IsUnique();
        // A replayed Idempotency-Key finds the first payment; two at once cannot both insert.
        b.HasIndex(x => new { x.ResidentId, x.IdempotencyKey }).IsUnique();
        b.HasIndex(x => new { x.Status, x.CreatedAt });
        b.HasIndex(x => new { x.EstateId, x.PaidAt });
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ResidentId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<PaymentBill> b)
    {
        b.ToTable("PaymentBills");
        b.HasKey(x => new { x.PaymentId, x.BillId });
        b.HasIndex(x => x.BillId);
        b.HasOne<Payment>().WithMany().HasForeignKey(x => x.PaymentId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Bill>().WithMany().HasForeignKey(x => x.BillId).OnDelete(DeleteBehavior.Restrict);
    }

    public void Configure(EntityTypeBuilder<Refund> b)
    {
        b.ToTable("Refunds");
        b.Property(x => x.OutRefundNo).HasMaxLength(64);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Reason).HasMaxLength(80);
        b.Property(x => x.RequestedBy).HasMaxLength(64);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        b.HasIndex(x => x.OutRefundNo).IsUnique();
        b.HasIndex(x => x.PaymentId);
        b.HasIndex(x => new { x.PaymentId, x.IdempotencyKey }).IsUnique();
        b.HasOne<Payment>().WithMany().HasForeignKey(x => x.PaymentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Bill>().WithMany().HasForeignKey(x => x.BillId).OnDelete(DeleteBehavior.Restrict);
    }
}
