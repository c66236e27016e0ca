using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace NeighbourHub.Web.Features.Organisation;

internal sealed class StreetConfiguration : IEntityTypeConfiguration<Street>
{
    public void Configure(EntityTypeBuilder<Street> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.District).HasMaxLength(100);
    }
}

internal sealed class CommunityConfiguration : IEntityTypeConfiguration<Community>
{
    public void Configure(EntityTypeBuilder<Community> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasOne<Street>().WithMany().HasForeignKey(x => x.StreetId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class EstateConfiguration : IEntityTypeConfiguration<Estate>
{
    public void Configure(EntityTypeBuilder<Estate> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Address).HasMaxLength(200);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.Name);
    }
}

internal sealed class BuildingConfiguration : IEntityTypeConfiguration<Building>
{
    public void Configure(EntityTypeBuilder<Building> b)
    {
        b.Property(x => x.Name).HasMaxLength(50);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.EstateId, x.Name }).IsUnique();
    }
}

internal sealed class UnitConfiguration : IEntityTypeConfiguration<Unit>
{
    public void Configure(EntityTypeBuilder<Unit> b)
    {
        b.Property(x => x.Name).HasMaxLength(50);
        b.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.BuildingId, x.Name }).IsUnique();
    }
}

internal sealed class HouseholdConfiguration : IEntityTypeConfiguration<Household>
{
    public void Configure(EntityTypeBuilder<Household> b)
    {
        b.Property(x => x.Room).HasMaxLength(20);
        b.Property(x => x.AreaM2).HasPrecision(10, 2);
        b.HasOne<Unit>().WithMany().HasForeignKey(x => x.UnitId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.UnitId, x.Room }).IsUnique();
        b.HasIndex(x => new { x.EstateId, x.BuildingId, x.UnitId });
        // Search by room ("501…") within the estates in scope.
        b.HasIndex(x => new { x.EstateId, x.Room });
    }
}

internal sealed class PropertyFirmConfiguration : IEntityTypeConfiguration<PropertyFirm>
{
    public void Configure(EntityTypeBuilder<PropertyFirm> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.ContactPhone).HasMaxLength(20);
    }
}

internal sealed class EstateFirmContractConfiguration : IEntityTypeConfiguration<EstateFirmContract>
{
    public void Configure(EntityTypeBuilder<EstateFirmContract> b)
    {
        b.HasOne<Estate>().WithMany().HasForeignKey(x => x.EstateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<PropertyFirm>().WithMany().HasForeignKey(x => x.PropertyFirmId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.PropertyFirmId, x.EstateId });
    }
}

internal sealed class GridConfiguration : IEntityTypeConfiguration<Grid>
{
    public void Configure(EntityTypeBuilder<Grid> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasOne<Community>().WithMany().HasForeignKey(x => x.CommunityId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class GridBuildingConfiguration : IEntityTypeConfiguration<GridBuilding>
{
    public void Configure(EntityTypeBuilder<GridBuilding> b)
    {
        b.HasKey(x => new { x.GridId, x.BuildingId });
        b.HasOne<Grid>().WithMany().HasForeignKey(x => x.GridId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Building>().WithMany().HasForeignKey(x => x.BuildingId).OnDelete(DeleteBehavior.Restrict);
    }
}
