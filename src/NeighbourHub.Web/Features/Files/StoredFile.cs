using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Files;

/// <summary>
/// An uploaded image. The bytes live in <see cref="IFileStorage"/> under <see cref="Id"/>; this row says
/// who uploaded it; what it is attached to (a <see cref="Repairs.RepairPhoto"/>) decides who else may read it.
/// </summary>
public sealed class StoredFile
{
    /// <summary>Random and unguessable (32 hex digits), though access is still checked on every read.</summary>
    public required string Id { get; set; }
    public required string ContentType { get; set; }
    public long SizeBytes { get; set; }
    public required string Sha256 { get; set; }

    /// <summary>Pixels, read from the image's header at upload (0 on rows stored before this was recorded).</summary>
    public int Width { get; set; }
    public int Height { get; set; }
    public long? UploadedByResidentId { get; set; }
    public long? UploadedByAdminId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> b)
    {
        b.ToTable("StoredFiles");
        b.Property(x => x.Id).HasMaxLength(32);
        b.Property(x => x.ContentType).HasMaxLength(32);
        b.Property(x => x.Sha256).HasMaxLength(64);
        // Each person's recent uploads (the hourly limit of unused ones); the resident one also serves "by resident".
        b.HasIndex(x => new { x.UploadedByResidentId, x.CreatedAt });
        b.HasIndex(x => new { x.UploadedByAdminId, x.CreatedAt });
        // The cleanup job's scan for old uploads nothing uses.
        b.HasIndex(x => x.CreatedAt);
    }
}
