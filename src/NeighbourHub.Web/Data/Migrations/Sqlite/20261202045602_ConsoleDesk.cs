using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ConsoleDesk : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Repairs_Dashboard",
                table: "Repairs",
                columns: new[] { "EstateId", "CreatedAt", "Status", "DeadlineAt", "ResolvedAt", "Stars" });

            migrationBuilder.CreateIndex(
                name: "IX_Repairs_EstateId_ResolvedAt",
                table: "Repairs",
                columns: new[] { "EstateId", "ResolvedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Repairs_Dashboard",
                table: "Repairs");

            migrationBuilder.DropIndex(
                name: "IX_Repairs_EstateId_ResolvedAt",
                table: "Repairs");
        }
    }
}
