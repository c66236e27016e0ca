using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>What an entry does to the owners' money. The sign of <see cref="FundEntry.AmountFen"/> says which way.</summary>
public enum FundEntryKind { Income, Expense, Remuneration, Reversal }

/// <summary>
/// The owners' fund of one estate (信托制): its running balance and the transparency log its entries are the
/// leaves of. The balance is the sum of the entries' signed amounts, kept here so a payment can be refused
/// when it would overdraw; <c>verify</c> recomputes it from the entries.
/// </summary>
public sealed class FundAccount : IEstateOwned
{
    public long EstateId { get; set; }
    public long LogId { get; set; }
    public long BalanceFen { get; set; }

    /// <summary>The trustee's share of fee income in basis points (1000 = 10%), set by the committee; 0 in a self-managed estate.</summary>
    public int RemunerationBp { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>
/// One line of the public ledger: append-only (no code path updates or deletes one; a correction is a new
/// <see cref="FundEntryKind.Reversal"/>). Its leaf (<see cref="FundLeaf"/>) is made of exactly these columns,
/// so anyone holding the export can recompute the tree, and a row changed behind the app's back shows.
/// </summary>
public sealed class FundEntry : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }

    /// <summary>Position in the estate's log, from 0, without gaps.</summary>
    public long Seq { get; set; }

    /// <summary>When it was recorded (whole seconds, UTC): entries are in time order because seq is.</summary>
    public DateTimeOffset At { get; set; }
    public FundEntryKind Kind { get; set; }

    /// <summary>Signed fen: income +, expense and remuneration −, a reversal the opposite of what it reverses.</summary>
    public long AmountFen { get; set; }

    /// <summary>A code from <see cref="FundCategories"/>.</summary>
    public required string Category { get; set; }
    public long? BudgetLineId { get; set; }
    public string Memo { get; set; } = "";

    /// <summary>Who paid or was paid, as residents may read it: a payee's name, or a flat's building and unit only.</summary>
    public string Counterparty { get; set; } = "";

    /// <summary>SHA-256 (hex) of each attachment, in order, comma-separated: part of the leaf.</summary>
    public string AttachmentSha256s { get; set; } = "";
    public long? ExpenseId { get; set; }

    /// <summary>What caused the entry ("payment:12", "refund:3", "expense:7"…): unique, so a redelivered event appends nothing.</summary>
    public required string SourceKey { get; set; }

    /// <summary>The staff member who recorded it, or "系统" for entries that follow from a payment.</summary>
    public string RecordedBy { get; set; } = "";

    public IReadOnlyList<string> Attachments => AttachmentSha256s.Length == 0 ? [] : AttachmentSha256s.Split(',');
}

/// <summary>A file (quote, invoice, photo, voucher) attached to an income entry or an expense; readable by the estate.</summary>
public sealed class FundAttachment : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    public required string FileId { get; set; }
    public required string Sha256 { get; set; }

    /// <summary>What it shows, e.g. "报价单" — or the uploader's file name.</summary>
    public string Name { get; set; } = "";
    public long? ExpenseId { get; set; }

    /// <summary>For an expense: attached when proposed (quote) or when paid (proof of payment).</summary>
    public bool IsPaymentProof { get; set; }
    public long? EntrySeq { get; set; }
}

/// <summary>The category codes in leaves, and how people read them.</summary>
public static class FundCategories
{
    public const string PropertyFee = "property_fee";
    public const string Parking = "parking";
    public const string Advertising = "advertising";
    public const string Venue = "venue";
    public const string OtherIncome = "other_income";
    public const string Remuneration = "remuneration";
    public const string Expense = "expense";
    public const string Refund = "refund";
    public const string RemunerationRefund = "remuneration_refund";
    public const string Correction = "correction";

    /// <summary>Common-area income (公共收益) the trustee may record by hand.</summary>
    public static readonly string[] CommonIncome = [Parking, Advertising, Venue, OtherIncome];

    public static string Text(string code) => code switch
    {
        PropertyFee => "物业费",
        Parking => "停车收益",
        Advertising => "广告收益",
        Venue => "场地租用",
        OtherIncome => "其他公共收益",
        Remuneration => "物业酬金",
        Expense => "支出",
        Refund => "退费冲回",
        RemunerationRefund => "酬金冲回",
        Correction => "更正冲销",
        _ => code,
    };

    public static string KindText(FundEntryKind kind) => kind switch
    {
        FundEntryKind.Income => "收入",
        FundEntryKind.Expense => "支出",
        FundEntryKind.Remuneration => "酬金",
        _ => "冲正",
    };
}

internal sealed class FundEntryConfiguration :
    IEntityTypeConfiguration<FundAccount>, IEntityTypeConfiguration<FundEntry>, IEntityTypeConfiguration<FundAttachment>
{
    public void Configure(EntityTypeBuilder<FundAccount> b)
    {
        b.ToTable("FundAccounts");
        b.HasKey(x => x.EstateId);
        b.Property(x => x.EstateId).ValueGeneratedNever();
    }

    public void Configure(EntityTypeBuilder<FundEntry> b)
    {
        b.ToTable("FundEntries");
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Category).HasMaxLength(32);
        b.Property(x => x.Memo).HasMaxLength(500);
        b.Property(x => x.Counterparty).HasMaxLength(100);
        b.Property(x => x.AttachmentSha256s).HasMaxLength(1400);
        b.Property(x => x.SourceKey).HasMaxLength(80);
        b.Property(x => x.RecordedBy).HasMaxLength(64);
        b.HasIndex(x => new { x.EstateId, x.Seq }).IsUnique();
        b.HasIndex(x => x.SourceKey).IsUnique();
        b.HasIndex(x => new { x.EstateId, x.At });
        b.HasIndex(x => x.ExpenseId);
    }

    public void Configure(EntityTypeBuilder<FundAttachment> b)
    {
        b.ToTable("FundAttachments");
        b.Property(x => x.FileId).HasMaxLength(32);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => x.FileId);
        b.HasIndex(x => new { x.EstateId, x.ExpenseId });
        b.HasIndex(x => new { x.EstateId, x.EntrySeq });
    }
}
