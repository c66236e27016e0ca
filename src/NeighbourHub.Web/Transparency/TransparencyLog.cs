using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Transparency;

/// <summary>
/// One append-only Merkle log (an estate's fund; later a vote's tally). Its leaves are not stored here: the
/// feature that owns the log keeps the rows the leaves are made of, and the log keeps their hashes.
/// </summary>
public sealed class TransparencyLog
{
    public long Id { get; set; }

    /// <summary>What the log is of, e.g. "fund" — also the prefix of the text its heads sign.</summary>
    public required string Kind { get; set; }

    /// <summary>The id of the thing the log is of (the estate for "fund").</summary>
    public long SubjectId { get; set; }

    /// <summary>Leaves appended so far; the next leaf's seq.</summary>
    public long Size { get; set; }

    /// <summary>Bumped first thing by every append: the row lock that serialises appends across instances.</summary>
    public long Version { get; set; }
}

/// <summary>
/// The hash of one complete, aligned subtree (<see cref="MerkleTree.NodeKey"/>): leaf hashes are level 0.
/// Written once when the subtree completes, never changed.
/// </summary>
public sealed class TransparencyNode
{
    public long LogId { get; set; }
    public long Key { get; set; }
    public required byte[] Hash { get; set; }
}

/// <summary>A signed tree head, kept for every size the log has had, so any earlier head can be shown again.</summary>
public sealed class TransparencyHead
{
    public long LogId { get; set; }
    public long TreeSize { get; set; }

    /// <summary>Lowercase hex.</summary>
    public required string RootHash { get; set; }

    /// <summary>RFC 3339 UTC with milliseconds and Z, stored as signed: the signature covers this exact text.</summary>
    public required string Timestamp { get; set; }
    public required string KeyId { get; set; }

    /// <summary>ECDSA P-256 / SHA-256, DER, base64.</summary>
    public required string Signature { get; set; }
}

internal sealed class TransparencyConfiguration :
    IEntityTypeConfiguration<TransparencyLog>, IEntityTypeConfiguration<TransparencyNode>, IEntityTypeConfiguration<TransparencyHead>
{
    public void Configure(EntityTypeBuilder<TransparencyLog> b)
    {
        b.ToTable("TransparencyLogs");
        b.Property(x => x.Kind).HasMaxLength(16);
        b.HasIndex(x => new { x.Kind, x.SubjectId }).IsUnique();
    }

    public void Configure(EntityTypeBuilder<TransparencyNode> b)
    {
        b.ToTable("TransparencyNodes");
        b.HasKey(x => new { x.LogId, x.Key });
        b.Property(x => x.Hash).HasMaxLength(32);
    }

    public void Configure(EntityTypeBuilder<TransparencyHead> b)
    {
        b.ToTable("TransparencyHeads");
        b.HasKey(x => new { x.LogId, x.TreeSize });
        b.Property(x => x.RootHash).HasMaxLength(64);
        b.Property(x => x.Timestamp).HasMaxLength(32);
        b.Property(x => x.KeyId).HasMaxLength(32);
        b.Property(x => x.Signature).HasMaxLength(128);
    }
}
