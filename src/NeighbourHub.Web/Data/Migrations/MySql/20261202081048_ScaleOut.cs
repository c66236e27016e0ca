using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace NeighbourHub.Web.Data.Migrations.MySql
{
    /// <inheritdoc />
    public partial class ScaleOut : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RepairDayFigures",
                columns: table => new
                {
                    EstateId = table.Column<long>(type: "bigint", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Reported = table.Column<int>(type: "int", nullable: false),
                    Handled = table.Column<int>(type: "int", nullable: false),
                    OnTime = table.Column<int>(type: "int", nullable: false),
                    ResolveSeconds = table.Column<long>(type: "bigint", nullable: false),
                    Reopened = table.Column<int>(type: "int", nullable: false),
                    Rated = table.Column<int>(type: "int", nullable: false),
                    Stars = table.Column<long>(type: "bigint", nullable: false),
                    Closed = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RepairDayFigures", x => new { x.EstateId, x.Day });
                    table.ForeignKey(
                        name: "FK_RepairDayFigures_Estates_EstateId",
                        column: x => x.EstateId,
                        principalTable: "Estates",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                })
                .Annotation("MySql:CharSet", "utf8mb4")
                .Annotation("Relational:Collation", "utf8mb4_unicode_ci");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RepairDayFigures");
        }
    }
}
