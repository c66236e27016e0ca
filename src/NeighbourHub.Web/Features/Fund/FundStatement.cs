using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Fund;

/// <summary>
/// A month's statement, made once after the month ends (unique per estate and month, so of several instances
/// one writes it). Everything in it follows from the entries of the month; it also carries the signed head at
/// month end, which is how heads leave the server and reach the owners.
/// </summary>
public sealed class FundStatement : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }

    /// <summary>yyyy-MM, a Chinese calendar month.</summary>
    public required string Month { get; set; }
    public long OpeningFen { get; set; }
    public long ClosingFen { get; set; }
    public long IncomeFen { get; set; }
    public long RemunerationFen { get; set; }
    public long ExpenseFen { get; set; }
    public long ReversalFen { get; set; }

    /// <summary>Seq of the month's first entry and how many there are.</summary>
    public long FirstSeq { get; set; }
    public long EntryCount { get; set; }

    /// <summary>Totals per category and per budget line, JSON (<see cref="StatementView"/>'s lists).</summary>
    public required string BreakdownJson { get; set; }

    public long HeadTreeSize { get; set; }
    public required string HeadRootHash { get; set; }
    public required string HeadTimestamp { get; set; }
    public required string HeadKeyId { get; set; }
    public required string HeadSignature { get; set; }
    public DateTimeOffset MadeAt { get; set; }
}

internal sealed class FundStatementConfiguration : IEntityTypeConfiguration<FundStatement>
{
    public void Configure(EntityTypeBuilder<FundStatement> b)
    {
        b.ToTable("FundStatements");
        b.Property(x => x.Month).HasMaxLength(7);
        b.Property(x => x.HeadRootHash).HasMaxLength(64);
        b.Property(x => x.HeadTimestamp).HasMaxLength(32);
        b.Property(x => x.HeadKeyId).HasMaxLength(32);
        b.Property(x => x.HeadSignature).HasMaxLength(128);
        b.HasIndex(x => new { x.EstateId, x.Month }).IsUnique();
    }
}
