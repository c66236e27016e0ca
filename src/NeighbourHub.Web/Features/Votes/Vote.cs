using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Votes;

/// <summary>How a vote is decided (see <see cref="VoteRules"/>).</summary>
public enum VoteRule
{
    /// <summary>More than half of the ballots cast choose the first option; no quorum.</summary>
    Simple,
    /// <summary>Civil Code art. 278, matters other than items 6–8: quorum 2/3, then more than 1/2 of the participants.</summary>
    Art278Ordinary,
    /// <summary>Civil Code art. 278 items 6–8 (maintenance funds, rebuilding, use of common parts): quorum 2/3, then at least 3/4.</summary>
    Art278Major,
}

public enum VoteStatus { Announced, Open, Closed, Cancelled }

public enum BallotChannel { Online, Paper, Proxy }

/// <summary>
/// An owners' vote (业主大会 表决) of one estate. Announced at <see cref="NoticeAt"/> with its options and rule fixed;
/// at <see cref="OpensAt"/> its electorate is frozen (<see cref="Voter"/>, <see cref="VoterFlat"/>); it closes by
/// staff or by itself at <see cref="ClosesAt"/>, when its results and tally are published and the tally is committed
/// to a transparency log. While open, only turnout is ever shown.
/// </summary>
public sealed class Vote : IEstateOwned
{
    public long Id { get; set; }
    public long EstateId { get; set; }
    /// <summary>The topic (议题, a major matter) this vote decides, if it came from one.</summary>
    public long? TopicId { get; set; }
    public required string Title { get; set; }
    public required string Description { get; set; }
    public VoteRule Rule { get; set; }
    public VoteStatus Status { get; set; }

    public DateTimeOffset NoticeAt { get; set; }
    public DateTimeOffset OpensAt { get; set; }
    public DateTimeOffset ClosesAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public long CreatedByAdminId { get; set; }
    public required string CreatedByName { get; set; }
    public string? IdempotencyKey { get; set; }

    // Frozen when voting opens: the denominators of art. 278.
    public DateTimeOffset? OpenedAt { get; set; }
    public int VotersTotal { get; set; }
    /// <summary>Total registered area in hundredths of a square metre (0.01 m²): integers, never floating point.</summary>
    public long AreaTotalCenti { get; set; }

    // Running turnout, kept with each ballot in the same transaction (no per-option numbers are kept while open).
    public int BallotsCast { get; set; }
    public long AreaCastCenti { get; set; }

    // Published at closing.
    public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>Who closed it as residents read it ("到期自动结束" for the job).</summary>
    public string? ClosedBy { get; set; }
    public bool? Passed { get; set; }
    public bool? QuorumMet { get; set; }
    /// <summary>The transparency log the tally was committed to, and the size of its signed head.</summary>
    public long? TallyLogId { get; set; }
    public long? TallySize { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }
    public string? CancelReason { get; set; }

    /// <summary>The notices announcing the vote and publishing its results (公示).</summary>
    public long? AnnouncementNoticeId { get; set; }
    public long? ResultNoticeId { get; set; }

    public long Version { get; set; }
}

/// <summary>A choice on the ballot. The first option is the motion (e.g. 同意) that <see cref="Vote.Passed"/> speaks of.</summary>
public sealed class VoteOption : IChildOf<Vote>
{
    public long Id { get; set; }
    public long VoteId { get; set; }
    public int Ordinal { get; set; }
    public required string Text { get; set; }

    /// <summary>Counted at closing from the ballots; null while the vote is open.</summary>
    public int? Voters { get; set; }
    public long? AreaCenti { get; set; }
}

/// <summary>
/// One voter of the frozen electorate (art. 9 of the SPC interpretation): the owners of a flat together, an owner of
/// several flats once with their summed area, and all the developer's flats together once. A flat without an approved
/// owner in the app is a voter of its own, who votes on paper.
/// </summary>
public sealed class Voter : IEstateStaffOwned
{
    public long Id { get; set; }
    public long VoteId { get; set; }
    public long EstateId { get; set; }
    /// <summary>For the electorate export: the flats (e.g. "3栋1单元502、602") and owners' names as registered.</summary>
    public required string Flats { get; set; }
    public required string Owners { get; set; }
    public int FlatCount { get; set; }
    public long AreaCenti { get; set; }
    public bool IsDeveloper { get; set; }
}

/// <summary>Which voter a flat votes through, frozen with the electorate; staff enter paper ballots by flat.</summary>
public sealed class VoterFlat : IEstateStaffOwned
{
    public long Id { get; set; }
    public long VoteId { get; set; }
    public long EstateId { get; set; }
    public long VoterId { get; set; }
    public long HouseholdId { get; set; }
    public long AreaCenti { get; set; }
}

/// <summary>A resident who may cast a voter's online ballot (an approved owner of one of its flats when voting opened).</summary>
public sealed class VoterMember : IEstateStaffOwned
{
    public long Id { get; set; }
    public long VoteId { get; set; }
    public long EstateId { get; set; }
    public long VoterId { get; set; }
    [OwningResident]
    public long ResidentId { get; set; }
}

/// <summary>
/// The one ballot of a voter, whatever the channel: the unique key (vote, voter) lets exactly one of racing online and
/// paper ballots in. Its option is read only by the closing count; no route shows whose ballot chose what.
/// </summary>
public sealed class Ballot : IEstateStaffOwned
{
    public long Id { get; set; }
    public long VoteId { get; set; }
    public long EstateId { get; set; }
    public long VoterId { get; set; }
    public long OptionId { get; set; }
    public BallotChannel Channel { get; set; }
    public DateTimeOffset CastAt { get; set; }
    /// <summary>The voter's receipt code: published with the tally, so every voter finds their own ballot.</summary>
    public required string Receipt { get; set; }
    public long AreaCenti { get; set; }

    [OwningResident]
    public long? CastByResidentId { get; set; }
    public long? EnteredByAdminId { get; set; }
    public string? EnteredByName { get; set; }
    /// <summary>The flat staff entered a paper or proxy ballot for.</summary>
    public long? HouseholdId { get; set; }
    public string? ProxyName { get; set; }
    /// <summary>The scan of the signed paper ballot or proxy form.</summary>
    public string? ScanFileId { get; set; }
    public string? IdempotencyKey { get; set; }
}

internal sealed class VoteConfiguration :
    IEntityTypeConfiguration<Vote>, IEntityTypeConfiguration<VoteOption>, IEntityTypeConfiguration<Voter>,
    IEntityTypeConfiguration<VoterFlat>, IEntityTypeConfiguration<VoterMember>, IEntityTypeConfiguration<Ballot>
{
    public void Configure(EntityTypeBuilder<Vote> b)
    {
        b.ToTable("Votes");
        b.Property(x => x.Title).HasMaxLength(100);
        b.Property(x => x.Description).HasMaxLength(5000);
        b.Property(x => x.Rule).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.CreatedByName).HasMaxLength(64);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        b.Property(x => x.ClosedBy).HasMaxLength(64);
        b.Property(x => x.CancelReason).HasMaxLength(200);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.EstateId, x.Status });
        b.HasIndex(x => new { x.Status, x.ClosesAt });
        b.HasIndex(x => new { x.CreatedByAdminId, x.IdempotencyKey }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<VoteOption> b)
    {
        b.ToTable("VoteOptions");
        b.Property(x => x.Text).HasMaxLength(100);
        b.HasOne<Vote>().WithMany().HasForeignKey(x => x.VoteId);
        b.HasIndex(x => new { x.VoteId, x.Ordinal }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<Voter> b)
    {
        b.ToTable("Voters");
        b.Property(x => x.Flats).HasMaxLength(2000);
        b.Property(x => x.Owners).HasMaxLength(500);
        b.HasOne<Vote>().WithMany().HasForeignKey(x => x.VoteId);
        b.HasIndex(x => x.VoteId);
    }

    public void Configure(EntityTypeBuilder<VoterFlat> b)
    {
        b.ToTable("VoterFlats");
        b.HasOne<Voter>().WithMany().HasForeignKey(x => x.VoterId);
        b.HasIndex(x => new { x.VoteId, x.HouseholdId }).IsUnique();
        b.HasIndex(x => x.VoterId);
    }

    public void Configure(EntityTypeBuilder<VoterMember> b)
    {
        b.ToTable("VoterMembers");
        b.HasOne<Voter>().WithMany().HasForeignKey(x => x.VoterId);
        b.HasIndex(x => new { x.VoteId, x.ResidentId }).IsUnique();
        b.HasIndex(x => x.VoterId);
    }

    public void Configure(EntityTypeBuilder<Ballot> b)
    {
        b.ToTable("Ballots");
        b.Property(x => x.Channel).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Receipt).HasMaxLength(16);
        b.Property(x => x.EnteredByName).HasMaxLength(64);
        b.Property(x => x.ProxyName).HasMaxLength(50);
        b.Property(x => x.ScanFileId).HasMaxLength(32);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        b.HasOne<Vote>().WithMany().HasForeignKey(x => x.VoteId);
        b.HasOne<VoteOption>().WithMany().HasForeignKey(x => x.OptionId).OnDelete(DeleteBehavior.Restrict);
        // One ballot per voter across every channel: the database is the judge, races included.
        b.HasIndex(x => new { x.VoteId, x.VoterId }).IsUnique();
        b.HasIndex(x => new { x.VoteId, x.Receipt }).IsUnique();
        b.HasIndex(x => x.ScanFileId);
    }
}
