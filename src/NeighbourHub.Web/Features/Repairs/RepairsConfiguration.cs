using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.Web.Features.Repairs;

internal sealed class RepairCategoryConfiguration : IEntityTypeConfiguration<RepairCategory>
{
    public void Configure(EntityTypeBuilder<RepairCategory> b)
    {
        b.ToTable("RepairCategories");
        b.Property(x => x.Name).HasMaxLength(50);
        b.HasIndex(x => new { x.EstateId, x.Name }).IsUnique();
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RepairConfiguration : IEntityTypeConfiguration<Repair>
{
    public void Configure(EntityTypeBuilder<Repair> b)
    {
        b.ToTable("Repairs");
        b.Property(x => x.Description).HasMaxLength(1000);
        b.Property(x => x.Location).HasMaxLength(200);
        b.Property(x => x.ResolutionNote).HasMaxLength(1000);
        b.Property(x => x.RatingComment).HasMaxLength(500);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        // A reassignment keeps the status; of two racing ones the second must fail, or the assignee's figures would count
        // the repair twice (RepairDayFigures).
        b.Property(x => x.AssigneeId).IsConcurrencyToken();
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.ExternalContact).HasMaxLength(200);
        b.Property(x => x.ReporterName).HasMaxLength(50);
        b.Property(x => x.IdempotencyKey).HasMaxLength(64);
        // A retried report finds the first; two at once cannot both insert (NULL keys never collide).
        b.HasIndex(x => new { x.ReporterId, x.IdempotencyKey }).IsUnique();
        b.Property(x => x.ContactPhone).HasMaxLength(20);
        b.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.RecordedById).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.Status, x.DeadlineAt });
        b.HasIndex(x => new { x.EstateId, x.CreatedAt });
        b.HasIndex(x => new { x.EstateId, x.Status, x.DeadlineAt });
        b.HasIndex(x => new { x.ReporterId, x.Id });
        // The home page (Features/Dashboard): a period's repairs counted per week from the index alone, and repairs resolved
        // per week. Both hold every column the counts and the tenancy filter read (reporter for the resident clause, flat for
        // a grid worker's), so MariaDB never reads a row per repair: over a year that would be a million lookups.
        b.HasIndex(x => new { x.EstateId, x.CreatedAt, x.Status, x.DeadlineAt, x.ResolvedAt, x.Stars, x.ReporterId, x.HouseholdId }, "IX_Repairs_Dashboard");
        b.HasIndex(x => new { x.EstateId, x.ResolvedAt, x.Status, x.ReporterId, x.HouseholdId }, "IX_Repairs_Resolved");
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Household>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<RepairCategory>().WithMany().HasForeignKey(x => x.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ReporterId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.AssigneeId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RepairEventConfiguration : IEntityTypeConfiguration<RepairEvent>
{
    public void Configure(EntityTypeBuilder<RepairEvent> b)
    {
        b.ToTable("RepairEvents");
        b.Property(x => x.Action).HasMaxLength(32);
        b.Property(x => x.Actor).HasMaxLength(64);
        b.Property(x => x.Note).HasMaxLength(1000);
        b.HasIndex(x => x.RepairId);
        b.HasOne<Repair>().WithMany().HasForeignKey(x => x.RepairId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RepairPhotoConfiguration : IEntityTypeConfiguration<RepairPhoto>
{
    public void Configure(EntityTypeBuilder<RepairPhoto> b)
    {
        b.ToTable("RepairPhotos");
        b.Property(x => x.FileId).HasMaxLength(32);
        b.Property(x => x.Stage).HasConversion<string>().HasMaxLength(16);
        // A photo belongs to one repair only: attaching it twice fails on this index.
        b.HasIndex(x => x.FileId).IsUnique();
        b.HasIndex(x => x.RepairId);
        b.HasOne<Repair>().WithMany().HasForeignKey(x => x.RepairId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Files.StoredFile>().WithMany().HasForeignKey(x => x.FileId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RepairEscalationConfiguration : IEntityTypeConfiguration<RepairEscalation>
{
    public void Configure(EntityTypeBuilder<RepairEscalation> b)
    {
        b.ToTable("RepairEscalations");
        b.HasIndex(x => new { x.RepairId, x.Level, x.AdminUserId }).IsUnique();
        b.HasIndex(x => x.AdminUserId);
        b.HasOne<Repair>().WithMany().HasForeignKey(x => x.RepairId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AdminUser>().WithMany().HasForeignKey(x => x.AdminUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
