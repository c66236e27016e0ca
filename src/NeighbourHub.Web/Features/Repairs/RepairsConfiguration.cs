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
        b.HasIndex(x => new { x.EstateId, x.Status, x.DeadlineAt });
        b.HasIndex(x => new { x.ReporterId, x.Id });
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
