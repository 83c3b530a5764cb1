"""The reception hall and the grass roots (《信访工作条例》第十八条第三款、第二十一至二十三条、第三十一条).

Where petitioners are actually received: the hall of a petition bureau or a county's one-stop centre
with the units stationed there and their duty rota, the queue at the desk with its 诉求单, joint
reception by several units, lawyers at reception, the legal-route guide (法定途径清单), and under a
township the work stations, village points and mediation platforms where people bring their matters
("说事") and have them mediated. A case is changed only through the case services.
"""
