using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Features.Identity;
using NeighbourHub.Web.Features.Organisation;

namespace NeighbourHub.Web.Features.Residents;

internal sealed class ResidenceConfiguration : IEntityTypeConfiguration<Residence>
{
    public void Configure(EntityTypeBuilder<Residence> b)
    {
        b.Property(x => x.Relation).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken();
        b.Property(x => x.RealName).HasMaxLength(50);
        b.Property(x => x.RejectReason).HasMaxLength(200);
        b.Property(x => x.ActiveKey).HasMaxLength(48);
        b.HasIndex(x => x.ActiveKey).IsUnique();
        b.HasIndex(x => new { x.EstateId, x.Status });
        b.HasIndex(x => x.ResidentId);
        // Search by a resident's name (prefix).
        b.HasIndex(x => x.RealName);
        b.HasOne<Resident>().WithMany().HasForeignKey(x => x.ResidentId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Household>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InviteCodeConfiguration : IEntityTypeConfiguration<InviteCode>
{
    public void Configure(EntityTypeBuilder<InviteCode> b)
    {
        b.Property(x => x.Code).HasMaxLength(InviteCode.Length);
        b.Property(x => x.Relation).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => x.Code).IsUnique();
        b.HasIndex(x => x.HouseholdId);
        b.HasOne<Household>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
    }
}
