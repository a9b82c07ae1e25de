"""coalitionlab.coalitions"""
